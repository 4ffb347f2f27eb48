import { createWriteStream, type WriteStream } from 'node:fs';
import type { EventStream } from '../events/event-stream.js';
import { PcapngEncoder, type PcapngOptions } from './pcapng-encoder.js';

/**
 * `capture.pcapng`, appended block by block as events arrive, so a run that crashes leaves a
 * file Wireshark opens up to the last whole block. The first write error stops the capture
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
    if (!this.out.writableEnded) {
      await new Promise<void>((resolve) => this.out.end(() => resolve()));
    }
    if (this.failure) throw this.failure;
  }
}
