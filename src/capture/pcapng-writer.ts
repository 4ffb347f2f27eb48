import { createWriteStream, type WriteStream } from 'node:fs';
import type { EventStream } from '../events/event-stream.js';
import { PcapngEncoder, type PcapngOptions } from './pcapng-encoder.js';

/**
 * `signaling.pcapng`, appended block by block as events arrive, so a run that crashes leaves a
 * file Wireshark opens up to the last whole block (a sent packet waits up to RECEIVER_WAIT_MS
 * for its receiver's copy first). The first write error stops the capture
 * and is raised by `close()`; the run itself is not interrupted by a full disk.
 */
export class PcapngWriter {
  private readonly out: WriteStream;
  private readonly encoder: PcapngEncoder;
  private readonly unsubscribe: () => void;
  private failure: Error | undefined;

  constructor(path: string, stream: EventStream, options: PcapngOptions = {}) {
    this.encoder = new PcapngEncoder(options);
    this.out = createWriteStream(path, { flags: 'w' });
    this.out.on('error', (error) => {
      this.failure ??= new Error(`writing the capture ${path} failed: ${error.message}`, { cause: error });
    });
    this.out.write(this.encoder.header());
    this.unsubscribe = stream.subscribe((event) => {
      if (this.failure) return;
      for (const block of this.encoder.encode(event)) this.out.write(block);
    });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    if (!this.failure && !this.out.writableEnded) for (const block of this.encoder.finish()) this.out.write(block);
    if (!this.out.writableEnded) {
      await new Promise<void>((resolve) => this.out.end(() => resolve()));
    }
    if (this.failure) throw this.failure;
  }
}
