import { readFile } from 'node:fs/promises';
import { sipMessageEvent } from '../events/sip-event.js';
import type { SipMessageEvent } from '../events/types.js';
import { getHeader, getHeaderValues, uriOf } from '../sip/message/headers.js';
import { parseSipMessage } from '../sip/message/parse-message.js';
import { formatEndpoint } from '../sip/transport/types.js';
import { readCaptureFile, type CaptureFileOptions } from './capture-file.js';
import { PacketDecoder } from './packet-decoder.js';
import { SipFramer, type FramedSip } from './sip-framer.js';

export interface CaptureReadResult {
  format: 'pcap' | 'pcapng';
  /**
   * Every SIP message, in capture order, as the sender's `out` event: `party` is the sender's
   * `address:port`, `local` the source and `remote` the destination.
   */
  messages: SipMessageEvent[];
  frames: number;
  /** Frames that carried no UDP/TCP we could decode (ARP, other link types, snapped). */
  skippedFrames: number;
}

/** Reads SIP out of a pcap or pcapng file's bytes. Throws CaptureFormatError on a broken file. */
export function readSipCapture(buffer: Buffer, options: CaptureFileOptions = {}): CaptureReadResult {
  const file = readCaptureFile(buffer, options);
  const decoder = new PacketDecoder();
  const framer = new SipFramer();
  const messages: SipMessageEvent[] = [];
  const views = new ViewDeduplicator();
  for (const frame of file.frames) {
    const segment = decoder.decode(frame);
    if (!segment) continue;
    for (const framed of framer.push(segment)) {
      if (views.isOtherView(framed)) continue;
      const party = formatEndpoint(framed.source);
      const flow = { id: `${framed.protocol}:${party}>${formatEndpoint(framed.destination)}`, protocol: framed.protocol, local: framed.source, remote: framed.destination };
      messages.push(sipMessageEvent(party, 'out', framed.bytes.toString('utf8'), flow, framed.at));
    }
  }
  return { format: file.format, messages, frames: file.frames.length, skippedFrames: decoder.skipped };
}

/** How far apart two interfaces may see the same packet and still count as one message. */
const SAME_PACKET_WINDOW_MS = 2000;

/**
 * A message captured on two interfaces (sipbots writes one per party; `-i any` plus loopback
 * does the same) is one message: the copy on another interface, with the same addresses and
 * bytes, seen shortly after, is dropped. Copies on the same interface are retransmissions and
 * are kept.
 */
class ViewDeduplicator {
  private readonly recent = new Map<string, { at: number; interfaceId: number }[]>();
  private calls = 0;

  isOtherView(framed: FramedSip): boolean {
    if (++this.calls % 1024 === 0) this.forgetBefore(framed.at - SAME_PACKET_WINDOW_MS);
    const key = `${framed.protocol}|${formatEndpoint(framed.source)}|${formatEndpoint(framed.destination)}|${framed.bytes.toString('latin1')}`;
    const seen = (this.recent.get(key) ?? []).filter((s) => framed.at - s.at <= SAME_PACKET_WINDOW_MS);
    const match = seen.findIndex((s) => s.interfaceId !== framed.interfaceId);
    if (match >= 0) {
      seen.splice(match, 1);
      this.recent.set(key, seen);
      return true;
    }
    seen.push({ at: framed.at, interfaceId: framed.interfaceId });
    this.recent.set(key, seen);
    return false;
  }

  private forgetBefore(at: number): void {
    for (const [key, seen] of this.recent) if (seen.every((s) => s.at < at)) this.recent.delete(key);
  }
}

export async function readSipCaptureFile(path: string, options: Omit<CaptureFileOptions, 'file'> = {}): Promise<CaptureReadResult> {
  return readSipCapture(await readFile(path), { ...options, file: path });
}

/** Messages by Call-ID, each list in capture order; messages without one are left out. */
export function groupByCallId(messages: readonly SipMessageEvent[]): Map<string, SipMessageEvent[]> {
  const calls = new Map<string, SipMessageEvent[]>();
  for (const message of messages) {
    if (message.callId === undefined) continue;
    const list = calls.get(message.callId) ?? [];
    list.push(message);
    calls.set(message.callId, list);
  }
  return calls;
}

/**
 * Names capture endpoints after the users behind them. A proxy adds its Via to what it
 * forwards, so a request that carries a single Via left the user agent that wrote it, named
 * by the From user; and among the copies of a provisional or 2xx INVITE response, the one with
 * the most Vias left the user agent that answers, named by the To user. An endpoint that ever
 * sent a request with two or more Vias is a proxy and keeps its `address:port` (it also
 * generates CANCEL, ACK and 407 with one Via and somebody else's From). Two endpoints that
 * would share a name keep it with their address: `alice (10.0.0.1:5060)`.
 */
export function namePartiesByUser(messages: readonly SipMessageEvent[]): Map<string, string> {
  const parsed = messages.filter((m) => m.parseError === undefined).map((m) => ({ event: m, message: parseSipMessage(m.raw) }));
  const proxies = new Set<string>();
  const maxVias = new Map<string, number>();
  for (const { event, message } of parsed) {
    const vias = getHeaderValues(message, 'via').length;
    if (message.kind === 'request' && vias >= 2) proxies.add(event.party);
    if (message.kind === 'response') {
      const key = `${event.callId}|${event.cseq}|${message.status}`;
      maxVias.set(key, Math.max(maxVias.get(key) ?? 0, vias));
    }
  }
  const byEndpoint = new Map<string, string>();
  for (const { event, message } of parsed) {
    if (proxies.has(event.party) || byEndpoint.has(event.party)) continue;
    const vias = getHeaderValues(message, 'via').length;
    let nameAddr: string | undefined;
    if (message.kind === 'request' && vias === 1) nameAddr = getHeader(message, 'from');
    const answersInvite = message.kind === 'response' && message.status > 100 && message.status < 300 && /INVITE$/i.test(event.cseq ?? '');
    if (answersInvite && vias === maxVias.get(`${event.callId}|${event.cseq}|${message.status}`)) nameAddr = getHeader(message, 'to');
    const user = nameAddr ? /^(?:sips?|tel):([^@;>]+)/i.exec(uriOf(nameAddr))?.[1] : undefined;
    if (user) byEndpoint.set(event.party, user);
  }
  const counts = new Map<string, number>();
  for (const name of byEndpoint.values()) counts.set(name, (counts.get(name) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const [endpoint, name] of byEndpoint) names.set(endpoint, counts.get(name)! > 1 ? `${name} (${endpoint})` : name);
  return names;
}
