import { createWriteStream, type WriteStream } from 'node:fs';
import type { EventStream } from './event-stream.js';
import type { SipbotsEvent } from './types.js';

/**
 * `messages.jsonl`: one JSON object per line for every event, appended as it happens so a
 * crash leaves everything up to the crash readable. RTP packets are written as base64.
 */
export class JsonlWriter {
  private readonly out: WriteStream;
  private readonly unsubscribe: () => void;

  constructor(path: string, stream: EventStream, private readonly include: (e: SipbotsEvent) => boolean = () => true) {
    this.out = createWriteStream(path, { flags: 'a' });
    this.unsubscribe = stream.subscribe((event) => {
      if (this.include(event)) this.out.write(JSON.stringify(event, encodeBytes) + '\n');
    });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await new Promise<void>((resolve, reject) => this.out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

function encodeBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}
