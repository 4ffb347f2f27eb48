import { readCaptureFile, type CaptureFileOptions } from '../../capture/capture-file.js';
import { isSkip } from '../../capture/decode/layer.js';
import { PacketDecoder } from '../../capture/packet-decoder.js';
import { decodeG711, codecOfPayloadType } from '../../media/g711.js';
import { detectTone } from '../../media/goertzel.js';
import { readRtpPacket } from '../../media/rtp-wire.js';
import { formatEndpoint } from '../../sip/transport/types.js';

/** One RTP stream of a capture (RFC 3550), by source, destination and SSRC. */
export interface RtpStream {
  source: string;
  destination: string;
  packets: number;
  /** Sequence numbers missing between the first and the last (RFC 3550 A.3's expected - received). */
  lost: number;
  /** The dominant frequency of its G.711 audio, when it is a tone. */
  toneHz?: number;
  /** RFC 4733 events, each counted once (by timestamp), in order. */
  digits: string;
  /** When each event's first packet was captured. */
  digitTimes: number[];
  firstAt: number;
  lastAt: number;
}

/** Audio kept per stream for the tone: 1 s from the middle of the first 3 s is plenty. */
const AUDIO_SAMPLES = 24_000;
const EVENTS = '0123456789*#ABCD';

/**
 * The RTP streams of a capture. A UDP payload counts as RTP when it parses as version 2 with
 * a payload type outside RTCP's 72-76 (RFC 5761 §4); telephone events are recognised by their
 * 4-byte RFC 4733 payload on a dynamic payload type.
 */
export function readRtpStreams(buffer: Buffer, options: CaptureFileOptions = {}): RtpStream[] {
  const file = readCaptureFile(buffer, { ...options, allowTruncated: true });
  const decoder = new PacketDecoder();
  const streams = new Map<string, RtpStream & { seqs: Set<number>; audio: number[]; events: Set<number> }>();
  for (const frame of file.frames) {
    const segment = decoder.decode(frame);
    if (isSkip(segment) || segment.protocol !== 'udp') continue;
    const rtp = readRtpPacket(segment.payload);
    if (!rtp || (rtp.payloadType >= 72 && rtp.payloadType <= 76)) continue;
    const source = formatEndpoint(segment.source);
    const destination = formatEndpoint(segment.destination);
    const key = `${source}>${destination}#${rtp.ssrc}`;
    let stream = streams.get(key);
    if (!stream) {
      stream = { source, destination, packets: 0, lost: 0, digits: '', digitTimes: [], firstAt: segment.at, lastAt: segment.at, seqs: new Set(), audio: [], events: new Set() };
      streams.set(key, stream);
    }
    stream.packets++;
    stream.lastAt = segment.at;
    stream.seqs.add(rtp.sequenceNumber);
    const payload = segment.payload.subarray(rtp.payloadStart, rtp.payloadEnd);
    const codec = codecOfPayloadType(rtp.payloadType);
    if (codec && stream.audio.length < AUDIO_SAMPLES) stream.audio.push(...decodeG711(codec, payload));
    else if (!codec && rtp.payloadType >= 96 && payload.length === 4 && payload[0]! < EVENTS.length && !stream.events.has(rtp.timestamp)) {
      stream.events.add(rtp.timestamp);
      stream.digits += EVENTS[payload[0]!];
      stream.digitTimes.push(segment.at);
    }
  }
  return [...streams.values()].map(({ seqs, audio, events: _events, ...stream }) => {
    const sorted = [...seqs].sort((a, b) => a - b);
    // A wrap past 65535 shows as one big gap: count from the gap's far side instead.
    const span = sorted.length > 1 ? spanOf(sorted) : sorted.length;
    const toneHz = dominantTone(audio);
    return { ...stream, lost: Math.max(0, span - seqs.size), ...(toneHz !== undefined ? { toneHz } : {}) };
  });
}

/**
 * The tone most 200 ms windows agree on (digits, silence and a hold's pause read as none), or
 * undefined when no window holds one.
 */
function dominantTone(audio: readonly number[]): number | undefined {
  const votes = new Map<number, number>();
  for (let end = 1600; end <= audio.length; end += 800) {
    const hz = detectTone(audio.slice(end - 1600, end));
    if (hz !== undefined) votes.set(hz, (votes.get(hz) ?? 0) + 1);
  }
  return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function spanOf(sorted: readonly number[]): number {
  let widestGap = 0;
  let at = 0;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > widestGap) [widestGap, at] = [gap, i];
  }
  if (widestGap < 32768) return sorted.at(-1)! - sorted[0]! + 1;
  return sorted[at - 1]! + 65536 - sorted[at]! + 1;
}

/** Where a party receives its RTP: the c= address and m=audio port of the first SDP it sent in the call (RFC 4566 §5.7, §5.14). */
export function mediaEndpoint(messages: ReadonlyArray<{ party: string; raw: string }>, sender: string): string | undefined {
  for (const m of messages) {
    if (m.party !== sender) continue;
    const body = m.raw.slice(m.raw.indexOf('\r\n\r\n') + 4);
    const port = /^m=audio (\d+) /m.exec(body)?.[1];
    const address = /^c=IN IP[46] (\S+)/m.exec(body)?.[1];
    if (port && address && port !== '0') return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }
  return undefined;
}
