import { isUpgradeRequest, isUpgradeResponse, readWebSocketFrame, WS_CONTINUATION } from './decode/websocket.js';
import type { TransportSegment } from './packet-decoder.js';

/** One SIP message cut out of a datagram, a reassembled TCP stream or a WebSocket message. */
export interface FramedSip {
  at: number;
  interfaceId: number;
  protocol: 'udp' | 'tcp' | 'ws';
  source: TransportSegment['source'];
  destination: TransportSegment['destination'];
  bytes: Buffer;
  /** The pcapng comment of the frame that completed the message. */
  comment?: string;
  /** Why the bytes are not the whole message (snap length, capture ended mid-message). */
  problem?: string;
}

/** What a segment carried: SIP (or part of it), WebSocket handshake/control only, or neither. */
export type Carried = 'sip' | 'ws-control' | 'none';

export interface FramerOutput {
  messages: FramedSip[];
  carried: Carried;
}

/** A start line we accept as the beginning of a SIP message (RFC 3261 §7.1, §7.2). */
const START_LINE = /^(?:[A-Za-z]+ \S+ SIP\/2\.0|SIP\/2\.0 [1-6]\d\d)/;
/** A start line inside a body: the next message after a Content-Length that promised too much. */
const NEXT_START_LINE = /\r\n(?:[A-Z]+ (?:sips?|tel):\S+ SIP\/2\.0|SIP\/2\.0 [1-6]\d\d )/;
const HEADER_END = Buffer.from('\r\n\r\n');
/** A stream that has buffered this much without a blank line is not carrying SIP. */
const MAX_HEADER_BYTES = 64 * 1024;
/** Out-of-order segments held per direction before a gap is given up as lost. */
const MAX_PENDING = 512;

interface Pending {
  payload: Buffer;
  at: number;
  missing: number;
}

interface Direction {
  next: number | undefined;
  buffer: Buffer;
  pending: Map<number, Pending>;
  mode: 'sip' | 'ws';
  /** Text or binary frames of a WebSocket message still waiting for FIN. */
  wsParts: Buffer[];
  framedAny: boolean;
  lastAt?: number;
}

type Meta = Omit<FramedSip, 'bytes'>;

/**
 * Frames SIP messages: one per UDP datagram; on TCP, per direction of each 4-tuple, segments
 * are put back in sequence order (retransmitted and overlapping bytes dropped, no SYN needed)
 * and the byte stream is cut by Content-Length (RFC 3261 §18.3). A connection whose client
 * asks for a WebSocket upgrade (RFC 6455 §4, on any port) is read as WebSocket frames from
 * then on, each message holding SIP (RFC 7118). Other bytes (TLS, HTTP, keep-alive CRLFs)
 * are skipped. A message cut by the snap length or by the end of the capture is still given,
 * with the reason.
 */
export class SipFramer {
  private readonly streams = new Map<string, Direction>();
  /** What the segment being pushed carried, and whether any of its bytes were in order yet. */
  private carried: Carried = 'none';
  private consumed = false;

  push(segment: TransportSegment): FramerOutput {
    if (segment.protocol === 'udp') {
      const bytes = trimLeadingCrlf(segment.payload);
      if (!looksLikeSip(bytes)) return { messages: [], carried: 'none' };
      const problem = segment.missing ? snapped(bytes.length, segment.missing) : undefined;
      return { messages: [{ ...base(segment), bytes, ...(problem ? { problem } : {}) }], carried: 'sip' };
    }
    const key = `${segment.source.address}|${segment.source.port}|${segment.destination.address}|${segment.destination.port}`;
    let direction = this.streams.get(key);
    if (!direction) {
      direction = { next: undefined, buffer: Buffer.alloc(0), pending: new Map(), mode: 'sip', wsParts: [], framedAny: false };
      this.streams.set(key, direction);
    }
    const seq = segment.seq ?? 0;
    if (segment.syn) {
      direction.next = (seq + 1) >>> 0;
      direction.buffer = Buffer.alloc(0);
      direction.pending.clear();
      direction.mode = 'sip';
      direction.wsParts = [];
      return { messages: [], carried: 'none' };
    }
    if (segment.payload.length === 0) return { messages: [], carried: 'none' };
    direction.next ??= seq;
    direction.pending.set(seq, { payload: segment.payload, at: segment.at, missing: segment.missing ?? 0 });
    if (direction.pending.size > MAX_PENDING) skipGap(direction);
    this.carried = 'none';
    this.consumed = false;
    const messages = this.drain(direction, segment);
    // Held out of order: it belongs to whatever its stream carries.
    if (!this.consumed) this.carried = direction.framedAny || direction.buffer.length > 0 ? 'sip' : 'none';
    return { messages, carried: this.carried };
  }

  /** Messages still buffered when the capture ends: given with the reason, never dropped. */
  flush(): FramedSip[] {
    const out: FramedSip[] = [];
    for (const [key, direction] of this.streams) {
      const rest = trimLeadingCrlf(direction.buffer);
      if (direction.mode === 'sip' && looksLikeSip(rest)) {
        const [source, sourcePort, destination, destinationPort] = key.split('|');
        const meta = { at: direction.lastAt ?? 0, interfaceId: 0, protocol: 'tcp' as const };
        out.push({ ...meta, source: { address: source!, port: Number(sourcePort) }, destination: { address: destination!, port: Number(destinationPort) }, bytes: rest, problem: 'incomplete: the capture ends inside this message' });
      }
    }
    return out;
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
        if (fresh.length === 0 && entry.missing === 0) continue;
        direction.buffer = Buffer.concat([direction.buffer, fresh]);
        direction.next = (direction.next! + fresh.length + entry.missing) >>> 0;
        direction.lastAt = entry.at;
        this.consumed = true;
        const meta: Meta = { ...base(segment), at: entry.at };
        out.push(...this.frame(direction, meta));
        if (entry.missing > 0) out.push(...cutBySnapLength(direction, meta, entry.missing));
        progressed = true;
      }
    }
    if (out.length > 0) direction.framedAny = true;
    return out;
  }

  private frame(direction: Direction, meta: Meta): FramedSip[] {
    if (direction.mode === 'sip') {
      const http = this.upgrade(direction);
      if (http !== 'no') this.carried = 'ws-control';
      if (http === 'wait') return [];
    }
    if (direction.mode === 'ws') return this.frameWebSocket(direction, meta);
    const messages = frameStream(direction, meta);
    if (messages.length > 0 || direction.buffer.length > 0) this.carried = 'sip';
    return messages;
  }

  /**
   * An HTTP upgrade request or its 101 answer at the head of the stream switches it to
   * WebSocket: 'wait' while its headers are incomplete, 'no' for anything else.
   */
  private upgrade(direction: Direction): 'no' | 'wait' | 'switched' {
    const head = direction.buffer.subarray(0, 16).toString('latin1');
    if (!head.startsWith('GET ') && !head.startsWith('HTTP/1.1 101')) return 'no';
    const end = direction.buffer.indexOf(HEADER_END);
    if (end < 0) return direction.buffer.length > MAX_HEADER_BYTES ? 'no' : 'wait';
    const text = direction.buffer.subarray(0, end).toString('latin1');
    if (!isUpgradeRequest(text) && !isUpgradeResponse(text)) return 'no';
    direction.buffer = direction.buffer.subarray(end + 4);
    direction.mode = 'ws';
    return 'switched';
  }

  private frameWebSocket(direction: Direction, meta: Meta): FramedSip[] {
    const out: FramedSip[] = [];
    for (;;) {
      const frame = readWebSocketFrame(direction.buffer);
      if (frame === undefined) {
        if (direction.buffer.length > 0) this.carried = 'sip';
        break;
      }
      if (frame === 'invalid') {
        direction.mode = 'sip';
        direction.buffer = Buffer.alloc(0);
        break;
      }
      direction.buffer = direction.buffer.subarray(frame.size);
      if (frame.opcode >= 8) {
        if (this.carried === 'none') this.carried = 'ws-control';
        continue;
      }
      this.carried = 'sip';
      if (frame.opcode !== WS_CONTINUATION) direction.wsParts = [];
      direction.wsParts.push(frame.payload);
      if (!frame.fin) continue;
      const message = Buffer.concat(direction.wsParts);
      direction.wsParts = [];
      for (const bytes of splitMessages(message)) out.push({ ...meta, protocol: 'ws', bytes });
    }
    return out;
  }
}

function base(segment: TransportSegment): Meta {
  const meta: Meta = { at: segment.at, interfaceId: segment.interfaceId, protocol: segment.protocol, source: segment.source, destination: segment.destination };
  if (segment.comment) meta.comment = segment.comment;
  return meta;
}

function snapped(kept: number, missing: number): string {
  return `cut by the capture's snap length (${kept} of ${kept + missing} bytes captured)`;
}

/** A segment lost bytes to the snap length: what is buffered is given as a cut message. */
function cutBySnapLength(direction: Direction, meta: Meta, missing: number): FramedSip[] {
  const rest = trimLeadingCrlf(direction.buffer);
  direction.buffer = Buffer.alloc(0);
  direction.wsParts = [];
  if (direction.mode !== 'sip' || !looksLikeSip(rest)) return [];
  return [{ ...meta, bytes: rest, problem: snapped(rest.length, missing) }];
}

/** A segment was lost for good: drop the partial message and continue after the gap. */
function skipGap(direction: Direction): void {
  let lowest: number | undefined;
  for (const seq of direction.pending.keys()) if (lowest === undefined || ((seq - lowest) | 0) < 0) lowest = seq;
  direction.next = lowest;
  direction.buffer = Buffer.alloc(0);
}

function frameStream(direction: Direction, meta: Meta): FramedSip[] {
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
    const total = headerEnd + 4 + contentLength(buffer, headerEnd);
    if (buffer.length < total) {
      // A Content-Length larger than the body: the next message starts inside the "body".
      const next = NEXT_START_LINE.exec(buffer.subarray(headerEnd + 2).toString('latin1'));
      if (!next) break;
      const cut = headerEnd + 2 + next.index + 2;
      out.push({ ...meta, bytes: buffer.subarray(0, cut) });
      direction.buffer = buffer.subarray(cut);
      continue;
    }
    out.push({ ...meta, bytes: buffer.subarray(0, total) });
    direction.buffer = buffer.subarray(total);
  }
  return out;
}

function contentLength(buffer: Buffer, headerEnd: number): number {
  const head = buffer.subarray(0, headerEnd).toString('latin1');
  const match = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head);
  return match ? Number(match[1]) : 0;
}

/**
 * RFC 7118 §5 puts one SIP message in each WebSocket message, Content-Length optional; some
 * stacks put several, so a message with a Content-Length shorter than the rest is cut there.
 */
function splitMessages(message: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let rest = trimLeadingCrlf(message);
  while (rest.length > 0) {
    const headerEnd = rest.indexOf(HEADER_END);
    const hasLength = headerEnd >= 0 && /^(?:content-length|l)[ \t]*:/im.test(rest.subarray(0, headerEnd).toString('latin1'));
    const total = hasLength ? headerEnd + 4 + contentLength(rest, headerEnd) : rest.length;
    if (total >= rest.length || !looksLikeSip(trimLeadingCrlf(rest.subarray(total)))) {
      out.push(rest);
      break;
    }
    out.push(rest.subarray(0, total));
    rest = trimLeadingCrlf(rest.subarray(total));
  }
  return out.filter(looksLikeSip);
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
