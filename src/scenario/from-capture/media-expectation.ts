import { mediaEndpoint, type RtpStream } from './captured-media.js';
import type { CapturedCall } from './captured-call.js';

/** `expect.media.<role>` as inferred; maxLoss a fraction. */
export interface InferredMedia {
  hears?: string | number;
  minPackets: number;
  maxLoss: number;
  digits?: string;
}

export interface MediaInference {
  media: Record<string, InferredMedia>;
  /** The tone each side sent, for its bot's `tone:`. */
  tones: Partial<Record<'caller' | 'callee', number>>;
  notes: string[];
  /** RFC 4733 digits seen: no step sends them yet, so they are listed, not expected. */
  unplayed: string[];
}

/**
 * What each end of the compared call heard, from the RTP sent to the address its SDP gave:
 * half the packets it received (as the lab's 50 for two seconds of 20 ms packets), the loss
 * seen rounded up to whole percent with one to spare, and the
 * tone: the other role when it is the tone the other side sent (its bot gets that `tone:`),
 * else the frequency itself. `squeeze` scales the packet count with `--time compact`.
 */
export function inferMedia(call: CapturedCall, streams: readonly RtpStream[], squeeze: (ms: number) => number, digitsPlayed: Partial<Record<'caller' | 'callee', string>> = {}): MediaInference {
  const ends = { caller: mediaEndpoint(call.messages, call.caller), callee: mediaEndpoint(call.messages, call.callee) };
  const received = (endpoint: string | undefined) =>
    endpoint === undefined ? undefined : streams.filter((s) => s.destination === endpoint).sort((a, b) => b.packets - a.packets)[0];
  const sent = { caller: received(ends.callee), callee: received(ends.caller) };
  const tones: MediaInference['tones'] = {};
  if (sent.caller?.toneHz !== undefined) tones.caller = wholeTone(sent.caller.toneHz);
  if (sent.callee?.toneHz !== undefined) tones.callee = wholeTone(sent.callee.toneHz);
  const media: Record<string, InferredMedia> = {};
  const notes: string[] = [];
  const unplayed: string[] = [];
  for (const role of ['caller', 'callee'] as const) {
    const other = role === 'caller' ? 'callee' : 'caller';
    const stream = role === 'caller' ? sent.callee : sent.caller;
    if (!stream || stream.packets === 0) continue;
    const talkMs = Math.max(1, stream.lastAt - stream.firstAt);
    const minPackets = Math.max(1, Math.floor((stream.packets / 2) * Math.min(1, squeeze(talkMs) / talkMs)));
    const loss = stream.lost / (stream.packets + stream.lost);
    const expectation: InferredMedia = { minPackets, maxLoss: (Math.ceil(loss * 100) + 1) / 100 };
    if (stream.toneHz !== undefined) expectation.hears = wholeTone(stream.toneHz) === tones[other] ? other : wholeTone(stream.toneHz);
    const played = digitsPlayed[role];
    if (played !== undefined) expectation.digits = played;
    else if (stream.digits !== '') unplayed.push(`RFC 4733 digits ${stream.digits} sent to the ${role} from ${stream.source}: not played (add a dtmf step by hand) and not expected`);
    media[role] = expectation;
    notes.push(`${role} received ${stream.packets} RTP packets at ${stream.destination} from ${stream.source} (${stream.lost} lost${stream.toneHz !== undefined ? `, a ${stream.toneHz} Hz tone` : ''}${stream.digits ? `, RFC 4733 digits ${stream.digits}` : ''}) -> expect.media.${role}`);
  }
  return { media, tones, notes, unplayed };
}

/** The detector reads a tone within its 5 Hz bin (439 Hz for 440): a reading that close to a multiple of 10 Hz is taken as it. */
function wholeTone(hz: number): number {
  const round = Math.round(hz / 10) * 10;
  return Math.abs(hz - round) <= 3 ? round : hz;
}
