/**
 * DTMF as RTP named telephone events (RFC 4733 §2.3):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     event     |E|R| volume    |          duration             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Sender: one packet per 20 ms frame while the key is down, all with the RTP timestamp of the
 * event's start and a growing duration; the first has the marker bit (§2.5.1.1). The final
 * packet, with the E bit, is sent three times (§2.5.1.4), each with its own sequence number.
 * Receiver: one digit per event timestamp, so retransmissions and the end packets collapse
 * into the digit they belong to (§2.5.2.2).
 */

import { FRAME_SAMPLES } from './tone.js';

const EVENT_CODES = '0123456789*#ABCD';
const END_RETRANSMISSIONS = 3;
/** −10 dBm0, a typical keypad level (volume is the power below 0 dBm0, §2.3.4). */
const VOLUME = 10;

export class DtmfError extends Error {
  override name = 'DtmfError';
}

export interface DtmfOptions {
  /** Key-down time per digit; default 100 ms. */
  durationMs?: number;
  /** Silence (audio) between digits; default 60 ms. */
  gapMs?: number;
}

export interface DtmfPayload {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function encodeDtmfPayload(p: DtmfPayload): Uint8Array {
  const out = new Uint8Array(4);
  out[0] = p.event & 0xff;
  out[1] = (p.end ? 0x80 : 0) | (p.volume & 0x3f);
  out[2] = (p.duration >> 8) & 0xff;
  out[3] = p.duration & 0xff;
  return out;
}

export function decodeDtmfPayload(bytes: Uint8Array): DtmfPayload {
  if (bytes.length < 4) throw new DtmfError(`telephone-event payload too short: ${bytes.length} bytes, need 4`);
  return {
    event: bytes[0] as number,
    end: ((bytes[1] as number) & 0x80) !== 0,
    volume: (bytes[1] as number) & 0x3f,
    duration: ((bytes[2] as number) << 8) | (bytes[3] as number),
  };
}

export function digitOfEvent(event: number): string | undefined {
  return EVENT_CODES[event];
}

/** What the RTP sender should put on the wire for this frame instead of audio. */
export interface DtmfFrame {
  payload: Uint8Array;
  marker: boolean;
  /** RTP timestamp: the event's start, constant for all its packets. */
  timestamp: number;
}

interface PendingDigit {
  event: number;
  toneFrames: number;
  gapFrames: number;
}

interface ActiveDigit extends PendingDigit {
  startTimestamp: number;
  framesSent: number;
  endsSent: number;
  gapLeft: number;
}

export class DtmfSender {
  private readonly queue: PendingDigit[] = [];
  private active: ActiveDigit | undefined;

  /** Queues `tones` (0-9 * # A-D). Throws DtmfError on any other character, before queueing. */
  enqueue(tones: string, options: DtmfOptions = {}): void {
    const toneFrames = Math.max(1, Math.round((options.durationMs ?? 100) / 20));
    const gapFrames = Math.max(0, Math.round((options.gapMs ?? 60) / 20));
    const events = [...tones.toUpperCase()].map((c) => {
      const event = EVENT_CODES.indexOf(c);
      if (event < 0) throw new DtmfError(`"${c}" is not a DTMF tone; use 0-9, *, #, A-D`);
      return event;
    });
    for (const event of events) this.queue.push({ event, toneFrames, gapFrames });
  }

  get busy(): boolean {
    return this.active !== undefined || this.queue.length > 0;
  }

  /**
   * The telephone-event packet for this frame, or undefined when audio should be sent.
   * `mediaTimestamp` is the sender's RTP timestamp for the current frame.
   */
  nextFrame(mediaTimestamp: number): DtmfFrame | undefined {
    if (!this.active) {
      const next = this.queue.shift();
      if (!next) return undefined;
      this.active = { ...next, startTimestamp: mediaTimestamp, framesSent: 0, endsSent: 0, gapLeft: next.gapFrames };
    }
    const digit = this.active;
    if (digit.framesSent < digit.toneFrames) {
      digit.framesSent++;
      const end = digit.framesSent === digit.toneFrames;
      if (end) digit.endsSent = 1;
      return this.frame(digit, end, digit.framesSent === 1);
    }
    if (digit.endsSent < END_RETRANSMISSIONS) {
      digit.endsSent++;
      return this.frame(digit, true, false);
    }
    if (digit.gapLeft > 0) {
      digit.gapLeft--;
      if (digit.gapLeft === 0) this.active = undefined;
      return undefined;
    }
    this.active = undefined;
    return this.nextFrame(mediaTimestamp);
  }

  private frame(digit: ActiveDigit, end: boolean, marker: boolean): DtmfFrame {
    const duration = Math.min(0xffff, digit.framesSent * FRAME_SAMPLES);
    return { payload: encodeDtmfPayload({ event: digit.event, end, volume: VOLUME, duration }), marker, timestamp: digit.startTimestamp };
  }
}

export class DtmfReceiver {
  private readonly recent: number[] = [];
  private heard = '';

  /** Feeds one telephone-event packet; returns the digit if this packet starts a new event. */
  onPacket(timestamp: number, payload: Uint8Array): string | undefined {
    const { event } = decodeDtmfPayload(payload);
    if (this.recent.includes(timestamp)) return undefined;
    this.recent.push(timestamp);
    if (this.recent.length > 16) this.recent.shift();
    const digit = digitOfEvent(event);
    if (digit !== undefined) this.heard += digit;
    return digit;
  }

  get digits(): string {
    return this.heard;
  }
}
