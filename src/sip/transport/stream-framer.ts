/**
 * Cuts a byte stream (TCP, TLS) into SIP messages. RFC 3261 §18.3: on a stream the
 * Content-Length header is mandatory and is the only thing that says where a message ends.
 *
 *   [CRLF...] start-line CRLF *(header CRLF) CRLF body(Content-Length bytes) [CRLF...] next...
 *
 * Works on Buffers because Content-Length counts bytes, not UTF-16 code units. It looks at
 * nothing but the header names it needs; parsing the message is the layer above's job.
 */

const CR = 0x0d;
const LF = 0x0a;
const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);
const CONTENT_LENGTH = Buffer.from('content-length');
/** Ten digits already exceed any sane limit; more only risks losing integer precision. */
const MAX_LENGTH_DIGITS = 10;

export const DEFAULT_MAX_MESSAGE_BYTES = 65_535;

export type FramingErrorReason = 'missing-content-length' | 'invalid-content-length' | 'too-large';

/** The stream cannot be framed any further; the connection must be dropped. */
export class FramingError extends Error {
  constructor(
    message: string,
    readonly reason: FramingErrorReason,
  ) {
    super(message);
    this.name = 'FramingError';
  }
}

export interface StreamFramerHandlers {
  /** One complete message (start line, headers, body), decoded as UTF-8. */
  message(raw: string): void;
  /** A double-CRLF keep-alive ping (RFC 5626 §4.4.1); the owner answers with a single CRLF pong. */
  ping(): void;
}

export class StreamFramer {
  private pending: Buffer = EMPTY;
  /** Where to resume looking for the end of the headers, so split input is not rescanned. */
  private scanFrom = 0;
  /** Total size of the message being received once its headers are known; -1 before. */
  private expected = -1;
  private failure?: FramingError;

  constructor(
    private readonly handlers: StreamFramerHandlers,
    private readonly maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
  ) {}

  /** True when bytes of an unfinished message are held (a lone CRLF pong does not count). */
  get midMessage(): boolean {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      if (pending[i] !== CR && pending[i] !== LF) return true;
    }
    return false;
  }

  /**
   * Feeds bytes as they arrived. Calls the handlers for every message or ping completed by
   * them; throws a FramingError (and keeps throwing it) once the stream cannot be framed.
   */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      this.drain();
    } catch (error) {
      if (error instanceof FramingError) {
        this.failure = error;
        this.pending = EMPTY;
      }
      throw error;
    }
  }

  private drain(): void {
    for (;;) {
      if (this.expected < 0) {
        if (!this.skipLeadingCrlf() || this.pending.length === 0) return;
        const headerEnd = this.pending.indexOf(HEADER_END, this.scanFrom);
        if (headerEnd < 0) {
          this.checkSize(this.pending.length);
          this.scanFrom = Math.max(0, this.pending.length - HEADER_END.length + 1);
          return;
        }
        this.expected = headerEnd + HEADER_END.length + contentLengthOf(this.pending, headerEnd);
        this.checkSize(this.expected);
      }
      if (this.pending.length < this.expected) return;
      const message = this.pending.toString('utf8', 0, this.expected);
      // Advance before handing the message up, so a throwing handler leaves the framer consistent.
      this.pending = this.pending.length === this.expected ? EMPTY : this.pending.subarray(this.expected);
      this.expected = -1;
      this.scanFrom = 0;
      this.handlers.message(message);
    }
  }

  /**
   * RFC 3261 §7.5: CRLFs before a start line are ignored. RFC 5626 §4.4.1: CRLFCRLF is a
   * keep-alive ping, a lone CRLF its pong. Returns false when the bytes so far cannot tell a
   * ping from a pong yet ("\r\n" might become "\r\n\r\n").
   */
  private skipLeadingCrlf(): boolean {
    for (;;) {
      const p = this.pending;
      if (p.length === 0 || p[0] !== CR) return true;
      if (p.length < 2) return false;
      if (p[1] !== LF) return true;
      if (p.length < 3) return false;
      if (p[2] === CR) {
        if (p.length < 4) return false;
        if (p[3] === LF) {
          this.pending = p.subarray(4);
          this.handlers.ping();
          continue;
        }
      }
      this.pending = p.subarray(2);
    }
  }

  private checkSize(bytes: number): void {
    if (bytes > this.maxMessageBytes) {
      throw new FramingError(
        `message of ${bytes} bytes or more exceeds the limit of ${this.maxMessageBytes} bytes`,
        'too-large',
      );
    }
  }
}

/**
 * Finds Content-Length (or its compact form `l`, RFC 3261 §7.3.3) among the header lines
 * before `headerEnd`, case-insensitively (§7.3.1). Differing duplicates are refused: a
 * receiver that picked one would frame differently from one that picked the other.
 */
function contentLengthOf(buffer: Buffer, headerEnd: number): number {
  let length = -1;
  // The start line never carries a header; the last header line ends at headerEnd.
  let lineStart = buffer.indexOf(CRLF) + CRLF.length;
  while (lineStart < headerEnd + CRLF.length) {
    const lineEnd = buffer.indexOf(CRLF, lineStart);
    const valueStart = contentLengthValueStart(buffer, lineStart, lineEnd);
    if (valueStart >= 0) {
      const value = parseLength(buffer, valueStart, lineEnd);
      if (length >= 0 && value !== length) {
        throw new FramingError(`conflicting Content-Length values ${length} and ${value}`, 'invalid-content-length');
      }
      length = value;
    }
    lineStart = lineEnd + CRLF.length;
  }
  if (length < 0) {
    throw new FramingError(
      'message without Content-Length on a stream transport (RFC 3261 §18.3 requires it)',
      'missing-content-length',
    );
  }
  return length;
}

/** Index just past the colon when the line is a Content-Length header, else -1. */
function contentLengthValueStart(buffer: Buffer, start: number, end: number): number {
  let i = start;
  const first = buffer[i]! | 0x20;
  if (first === 0x6c /* l */) {
    i += 1;
  } else if (first === 0x63 /* c */ && end - start >= CONTENT_LENGTH.length) {
    for (let k = 1; k < CONTENT_LENGTH.length; k++) {
      // OR-ing 0x20 lower-cases letters and leaves '-' alone; CR cannot occur inside a line.
      if ((buffer[start + k]! | 0x20) !== CONTENT_LENGTH[k]) return -1;
    }
    i += CONTENT_LENGTH.length;
  } else {
    return -1;
  }
  while (i < end && isSpace(buffer[i]!)) i++;
  return i < end && buffer[i] === 0x3a /* : */ ? i + 1 : -1;
}

function parseLength(buffer: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && isSpace(buffer[i]!)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const byte = buffer[i]!;
    if (byte < 0x30 || byte > 0x39) break;
    value = value * 10 + (byte - 0x30);
    digits++;
  }
  while (i < end && isSpace(buffer[i]!)) i++;
  if (digits === 0 || digits > MAX_LENGTH_DIGITS || i !== end) {
    const text = buffer.toString('latin1', start, end).trim();
    throw new FramingError(`invalid Content-Length "${text}"`, 'invalid-content-length');
  }
  return value;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}
