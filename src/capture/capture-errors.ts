/**
 * A capture file we cannot read: not pcap or pcapng, cut short, or with a block or record
 * length that points outside the file. `offset` is the byte where reading stopped.
 */
export class CaptureFormatError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(`${file ? `${file}: ` : ''}not a readable capture at byte ${offset}: ${reason}`, options);
    this.name = 'CaptureFormatError';
  }
}
