import { sipMessageEvent } from '../sip/message/message-event.js';
import type { SipMessageEvent } from '../events/types.js';
import { formatEndpoint } from '../sip/transport/types.js';
import { readInputFile } from '../util/input-file.js';
import { readCaptureFile, type CaptureFile, type CaptureFileOptions } from './capture-file.js';
import { isSkip } from './decode/layer.js';
import type { SkipReason } from './decode/skip-reasons.js';
import { PacketDecoder, type TransportSegment } from './packet-decoder.js';
import { salvageHeaders } from './sip-salvage.js';
import { SipFramer, type FramedSip } from './sip-framer.js';

export interface CaptureSummary {
  frames: number;
  /** Frames that carried SIP or a part of a SIP message. */
  sipFrames: number;
  skipped: Map<SkipReason, number>;
  /** What the `unknown` frames were, e.g. `link type 147` or `EtherType 0x88b5`, with counts. */
  unknown: Map<string, number>;
  /** Ports of the TLS connections counted as encrypted SIP. */
  tlsSipPorts: number[];
  truncated?: CaptureFile['truncated'];
  compressed?: CaptureFile['compressed'];
}

export interface CaptureReadResult {
  format: 'pcap' | 'pcapng';
  /**
   * Every SIP message, in capture order, as the sender's `out` event: `party` is the sender's
   * `address:port`, `local` the source and `remote` the destination. A message that fails
   * strict parsing is kept with `parseError` and whatever headers could be read.
   */
  messages: SipMessageEvent[];
  frames: number;
  /** Frames that carried no SIP: `summary.skipped` says why. */
  skippedFrames: number;
  summary: CaptureSummary;
}

/** Ports SIP over TLS is found on without any plain SIP to hint at it (RFC 3261 §19.1.2). */
const SIP_TLS_PORTS = new Set([5061]);

/** Reads SIP out of a pcap or pcapng file's bytes. Throws CaptureFormatError on a broken file. */
export function readSipCapture(buffer: Buffer, options: CaptureFileOptions = {}): CaptureReadResult {
  const file = readCaptureFile(buffer, options);
  const decoder = new PacketDecoder();
  const framer = new SipFramer();
  const tally = new Tally();
  const messages: SipMessageEvent[] = [];
  const views = new ViewDeduplicator();
  const add = (framed: FramedSip) => {
    if (!views.isOtherView(framed)) messages.push(toEvent(framed));
  };
  for (const frame of file.frames) {
    const decoded = decoder.decode(frame);
    if (isSkip(decoded)) {
      tally.skip(decoded.skip, decoded.detail);
      continue;
    }
    const { messages: framed, carried } = framer.push(decoded);
    if (carried === 'sip') tally.sip(decoded);
    else if (carried === 'ws-control') tally.skip('ws-control');
    else tally.other(decoded);
    framed.forEach(add);
  }
  framer.flush().forEach(add);
  const summary = tally.finish(file);
  return { format: file.format, messages, frames: file.frames.length, skippedFrames: file.frames.length - summary.sipFrames, summary };
}

function toEvent(framed: FramedSip): SipMessageEvent {
  const party = formatEndpoint(framed.source);
  const protocol = framed.protocol;
  const flow = { id: `${protocol}:${party}>${formatEndpoint(framed.destination)}`, protocol, local: framed.source, remote: framed.destination };
  const event = sipMessageEvent(party, 'out', framed.bytes.toString('utf8'), flow, framed.at);
  if (framed.problem) event.parseError = framed.problem;
  // sipbots' own pcapng names the lab case in each packet's comment.
  const caseId = /(?:^| )case=(\S+)/.exec(framed.comment ?? '')?.[1];
  if (caseId && caseId !== '-') event.caseId = caseId;
  if (event.parseError !== undefined) Object.assign(event, salvageHeaders(event));
  return event;
}

/** Counts every frame once: SIP, or the reason it was skipped. */
class Tally {
  private sipFrames = 0;
  private readonly skipped = new Map<SkipReason, number>();
  private readonly unknown = new Map<string, number>();
  private readonly sipPorts = new Set<number>();
  /** TLS frames by connection (`lowPort|highPort`), decided at the end once SIP ports are known. */
  private readonly tls = new Map<string, number>();
  private readonly tlsStreams = new Set<string>();

  sip(segment: TransportSegment): void {
    this.sipFrames++;
    this.sipPorts.add(segment.source.port).add(segment.destination.port);
  }

  skip(reason: SkipReason, detail?: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    if (reason === 'unknown') this.unknown.set(detail ?? 'undecoded', (this.unknown.get(detail ?? 'undecoded') ?? 0) + 1);
  }

  other(segment: TransportSegment): void {
    const p = segment.payload;
    if (segment.protocol === 'udp') {
      if (p.length >= 8 && p[0]! >> 6 === 2) return this.skip(p[1]! >= 200 && p[1]! <= 207 ? 'rtcp' : 'rtp');
      return this.skip('other-udp');
    }
    if (p.length === 0) return this.skip('tcp-control');
    const stream = `${formatEndpoint(segment.source)}>${formatEndpoint(segment.destination)}`;
    // RFC 8446 §5.1 record header: content type 20..23, legacy version 3.x.
    if ((p[0]! >= 20 && p[0]! <= 23 && p[1] === 3) || this.tlsStreams.has(stream)) {
      this.tlsStreams.add(stream);
      const ports = [segment.source.port, segment.destination.port].sort((a, b) => a - b).join('|');
      this.tls.set(ports, (this.tls.get(ports) ?? 0) + 1);
      return;
    }
    this.skip('other-tcp');
  }

  finish(file: CaptureFile): CaptureSummary {
    const tlsSipPorts = new Set<number>();
    for (const [ports, count] of this.tls) {
      const sipPort = ports.split('|').map(Number).find((port) => SIP_TLS_PORTS.has(port) || this.sipPorts.has(port));
      if (sipPort !== undefined) tlsSipPorts.add(sipPort);
      for (let i = 0; i < count; i++) this.skip(sipPort !== undefined ? 'tls-sip' : 'tls');
    }
    return {
      frames: file.frames.length,
      sipFrames: this.sipFrames,
      skipped: this.skipped,
      unknown: this.unknown,
      tlsSipPorts: [...tlsSipPorts].sort((a, b) => a - b),
      ...(file.truncated ? { truncated: file.truncated } : {}),
      ...(file.compressed ? { compressed: file.compressed } : {}),
    };
  }
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
  return readSipCapture(await readInputFile(path, 'capture'), { ...options, file: path });
}

/** The lane of messages whose Call-ID could not be read. */
export const UNPARSABLE_CALL = '(unparsable: no readable Call-ID)';

/** Messages by Call-ID, each list in capture order; those without one share the unparsable lane. */
export function groupByCallId(messages: readonly SipMessageEvent[]): Map<string, SipMessageEvent[]> {
  const calls = new Map<string, SipMessageEvent[]>();
  for (const message of messages) {
    const key = message.callId ?? UNPARSABLE_CALL;
    const list = calls.get(key) ?? [];
    list.push(message);
    calls.set(key, list);
  }
  return calls;
}
