import type { TransportSegment } from './packet-decoder.js';

/** One SIP message cut out of a datagram or a reassembled TCP stream. */
export interface FramedSip {
  at: number;
  interfaceId: number;
  protocol: 'udp' | 'tcp';
  source: TransportSegment['source'];
  destination: TransportSegment['destination'];
  bytes: Buffer;
}

/** A start line we accept as the beginning of a SIP message (RFC 3261 §7.1, §7.2). */
const START_LINE = /^(?:[A-Za-z]+ \S+ SIP\/2\.0|SIP\/2\.0 [1-6]\d\d)/;
const HEADER_END = Buffer.from('\r\n\r\n');
/** A stream that has buffered this much without a blank line is not carrying SIP. */
const MAX_HEADER_BYTES = 64 * 1024;
/** Out-of-order segments held per direction before a gap is given up as lost. */
const MAX_PENDING = 512;

interface Direction {
  next: number | undefined;
  buffer: Buffer;
  pending: Map<number, { payload: Buffer; at: number }>;
}

/**
 * Frames SIP messages: one per UDP datagram; on TCP, per direction of each 4-tuple, segments
 * are put back in sequence order (retransmitted and overlapping bytes dropped, no SYN needed)
 * and the byte stream is cut by Content-Length (RFC 3261 §18.3). Bytes that do not start with
 * a SIP start line (TLS records, HTTP, keep-alive CRLFs) are skipped.
 */
export class SipFramer {
  private readonly streams = new Map<string, Direction>();

  push(segment: TransportSegment): FramedSip[] {
    if (segment.protocol === 'udp') {
      const bytes = trimLeadingCrlf(segment.payload);
      return looksLikeSip(bytes) ? [{ ...base(segment), bytes }] : [];
    }
    const key = `${segment.source.address}|${segment.source.port}|${segment.destination.address}|${segment.destination.port}`;
    let direction = this.streams.get(key);
    if (!direction) {
      direction = { next: undefined, buffer: Buffer.alloc(0), pending: new Map() };
      this.streams.set(key, direction);
    }
    const seq = segment.seq ?? 0;
    if (segment.syn) {
      direction.next = (seq + 1) >>> 0;
      direction.buffer = Buffer.alloc(0);
      direction.pending.clear();
      return [];
    }
    if (segment.payload.length === 0) return [];
    direction.next ??= seq;
    direction.pending.set(seq, { payload: segment.payload, at: segment.at });
    if (direction.pending.size > MAX_PENDING) skipGap(direction);
    return this.drain(direction, segment);
  }

  private drain(direction: Direction, segment: TransportSegment): FramedSip[] {
    const out: FramedSip[] = [];
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const [seq, entry] of direction.pending) {
        const ahead = (seq - direction.next!) | 0;
        if (ahead > 0) continue;
        direction.pending.delete(seq);
        const fresh = entry.payload.subarray(-ahead);
        if (fresh.length === 0) continue;
        direction.buffer = Buffer.concat([direction.buffer, fresh]);
        direction.next = (direction.next! + fresh.length) >>> 0;
        out.push(...frameStream(direction, { ...base(segment), at: entry.at }));
        progressed = true;
      }
    }
    return out;
  }
}

function base(segment: TransportSegment): Omit<FramedSip, 'bytes'> {
  return { at: segment.at, interfaceId: segment.interfaceId, protocol: segment.protocol, source: segment.source, destination: segment.destination };
}

/** A segment was lost for good: drop the partial message and continue after the gap. */
function skipGap(direction: Direction): void {
  let lowest: number | undefined;
  for (const seq of direction.pending.keys()) if (lowest === undefined || ((seq - lowest) | 0) < 0) lowest = seq;
  direction.next = lowest;
  direction.buffer = Buffer.alloc(0);
}

function frameStream(direction: Direction, meta: Omit<FramedSip, 'bytes'>): FramedSip[] {
  const out: FramedSip[] = [];
  for (;;) {
    direction.buffer = trimLeadingCrlf(direction.buffer);
    const buffer = direction.buffer;
    if (buffer.length === 0) break;
    if (!looksLikeSip(buffer.subarray(0, Math.min(buffer.length, 256))) && !couldStillBecomeSip(buffer)) {
      direction.buffer = Buffer.alloc(0);
      break;
    }
    const headerEnd = buffer.indexOf(HEADER_END);
    if (headerEnd < 0) {
      if (buffer.length > MAX_HEADER_BYTES) direction.buffer = Buffer.alloc(0);
      break;
    }
    const head = buffer.subarray(0, headerEnd).toString('latin1');
    const match = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head);
    const length = match ? Number(match[1]) : 0;
    const total = headerEnd + 4 + length;
    if (buffer.length < total) break;
    out.push({ ...meta, bytes: buffer.subarray(0, total) });
    direction.buffer = buffer.subarray(total);
  }
  return out;
}

function trimLeadingCrlf(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  return i === 0 ? bytes : bytes.subarray(i);
}

function looksLikeSip(bytes: Buffer): boolean {
  return START_LINE.test(bytes.subarray(0, 256).toString('latin1'));
}

/** True while a stream holds only the first few bytes of what may become a start line. */
function couldStillBecomeSip(buffer: Buffer): boolean {
  const text = buffer.subarray(0, 64).toString('latin1');
  if (text.includes('\n')) return false;
  return /^(?:[A-Za-z]+( \S*( S?I?P?\/?2?\.?0?)?)?|S(?:I(?:P(?:\/(?:2(?:\.(?:0(?: \d{0,3})?)?)?)?)?)?)?)$/.test(text);
}
