import { encodeG711, g711DecodeTable } from '../../media/g711.js';
import { goertzelPower } from '../../media/goertzel.js';
import type { PacedStream, PacedTick, Pacer } from '../../media/pacer.js';
import { RtpReceiverStats, type RtpArrival } from '../../media/rtp-stats.js';
import { RTP_HEADER_BYTES, rtpPayloadEnd, rtpPayloadStart, rtpPayloadType, rtpSequenceNumber, rtpSsrc, rtpTimestamp, writeRtpHeader } from '../../media/rtp-wire.js';
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator } from '../../media/tone.js';
import type { Endpoint } from '../../sip/transport/types.js';
import type { StreamResult } from '../results/media-stats.js';
import type { PooledPair } from './port-pool.js';
import { LOAD_TONES } from './call-tones.js';

/** PCMU, RFC 3551 static payload type 0: the only codec load calls offer. */
const PCMU = 0;
/** The last 10 frames (200 ms) heard are what the verdict reads. */
const HEARD_FRAMES = 10;
/** Share of the heard energy the tone must hold (goertzel.ts detectTone's default), and the RMS below which it is silence. */
const MIN_DOMINANCE = 0.7;
const MIN_RMS = 100;
const ULAW = g711DecodeTable('PCMU');
/** Duplicates are recognised within 1024 packets (20 s of audio): 8 KB per stream instead of 512 KB. */
const DUPLICATE_WINDOW = 1024;
/**
 * Packets a leg writes in turn: a send that the socket had to queue (EAGAIN) keeps its buffer
 * until libuv sends it, on the loop's next turn; its buffer is written again 4 × 20 ms later.
 */
const SEND_BUFFERS = 4;
const FRAMES_PER_SECOND = SAMPLE_RATE / FRAME_SAMPLES;

/** Each whole-Hz tone's second of PCMU as its 50 frames (views made once per process, shared by every leg that sends it). */
const encodedSeconds = new Map<number, Uint8Array[]>();

/** Where a leg puts |send interval − 20 ms| of each packet after its first, in hundredths of a millisecond (MediaStats' send_jitter). */
export interface SendJitterRecorder {
  recordValue(hundredthsOfMs: number): void;
}

/** --capture: a copy of each packet this leg sent (`out`) or accepted as its stream, with the far end. */
export type LegWire = (out: boolean, packet: Buffer, far: Endpoint) => void;

/** One second of a whole-Hz tone in PCMU, encoded once per process, as its 20 ms frames. */
function encodedSecond(hz: number): Uint8Array[] {
  let frames = encodedSeconds.get(hz);
  if (!frames) {
    const second = encodeG711('PCMU', new ToneGenerator({ frequencyHz: hz }).periodicSecond()!);
    frames = Array.from({ length: FRAMES_PER_SECOND }, (_, i) => second.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
    encodedSeconds.set(hz, frames);
  }
  return frames;
}

/**
 * One side of one load call's media: a pooled port pair, a tone sent every 20 ms on the shared
 * pacer, and what came back: RFC 3550 statistics of the one SSRC it locked onto, the last
 * ten frames heard for the Goertzel check (decoded once, at the verdict). No RTCP is sent (the
 * verdict is the RTP's), no werift, and no object allocated per packet on either path (the
 * packets it sends are its own few buffers, rewritten; what it reads is read in place): the
 * young generation then holds only what Node's dgram allocates per datagram, and collects it
 * less often. `bench:media-load` runs a thousand of these per core.
 *
 * Symmetric RTP (RFC 4961): it sends from the port it receives on, to where the SDP said.
 */
export class MediaLeg implements PacedStream {
  private readonly stats = new RtpReceiverStats(SAMPLE_RATE, DUPLICATE_WINDOW);
  /**
   * The last HEARD_FRAMES frames as they came (µ-law bytes), each in its own 160-byte slot with
   * its length: copied per packet, decoded once for the verdict (stop), not per packet.
   */
  private readonly heard = new Uint8Array(HEARD_FRAMES * FRAME_SAMPLES);
  private readonly heardLength = new Uint8Array(HEARD_FRAMES);
  private framesHeard = 0;
  /** The one arrival handed to `stats` (which reads it and keeps nothing). */
  private readonly arrival: RtpArrival = { sequenceNumber: 0, timestamp: 0, arrivalMs: 0, bytes: 0 };
  private readonly toneFrames: Uint8Array[];
  private readonly packets: Buffer[] = [];
  private remote: Endpoint | undefined;
  private unregister: (() => void) | undefined;
  private ssrcHeard: number | undefined;
  private stray = 0;
  private sent = 0;
  private skipped = 0;
  private sequence: number;
  private readonly ssrc: number;
  private readonly timestampBase: number;
  private samples = 0;
  /** Which of the tone's 50 frames goes next. */
  private frame = 0;
  private ticked = false;
  private started = false;
  private lastSendAt = Number.NaN;
  /** Set by LoadMedia for the calls --capture records. */
  wire: LegWire | undefined;

  constructor(
    readonly pair: PooledPair,
    /** The tone this side sends, and the one it must hear from the other side. */
    readonly sendHz: number,
    readonly expectHz: number,
    private readonly pacer: Pacer,
    random: () => number,
    private readonly now: () => number,
    private readonly sendJitter: SendJitterRecorder,
  ) {
    this.toneFrames = encodedSecond(sendHz);
    this.ssrc = Math.floor(random() * 2 ** 32) >>> 0;
    this.sequence = Math.floor(random() * 0x10000);
    this.timestampBase = Math.floor(random() * 2 ** 32) >>> 0;
    pair.onRtp = (msg, from) => this.onRtp(msg, from);
  }

  get port(): number {
    return this.pair.port;
  }

  /** Media flows once the remote is known (the answer for the caller, the offer for the callee); undefined: nothing usable was offered, receive only. */
  start(remote: Endpoint | undefined): void {
    if (this.started) return;
    this.started = true;
    this.remote = remote;
    if (remote) this.unregister = this.pacer.register(this);
  }

  get running(): boolean {
    return this.started;
  }

  tick(tick: PacedTick): void {
    // After a stall the timestamp moves by the time that passed; the sequence by one (see pacer.ts).
    if (this.ticked) {
      this.skipped += tick.elapsedFrames - 1;
      this.samples += tick.elapsedFrames * FRAME_SAMPLES;
      this.frame = (this.frame + tick.elapsedFrames) % FRAMES_PER_SECOND;
    }
    this.ticked = true;
    const remote = this.remote!;
    const packet = this.nextPacketBuffer();
    writeRtpHeader(packet, PCMU, this.sent === 0, this.sequence, (this.timestampBase + this.samples) >>> 0, this.ssrc);
    packet.set(this.toneFrames[this.frame]!, RTP_HEADER_BYTES);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.sent++;
    // The pacer's precision as the wire sees it: taken just before the send, per stream.
    const at = this.now();
    if (!Number.isNaN(this.lastSendAt)) this.sendJitter.recordValue(Math.round(Math.abs(at - this.lastSendAt - FRAME_MS) * 100));
    this.lastSendAt = at;
    this.wire?.(true, packet, remote);
    this.pair.rtp.send(packet, remote.port, remote.address);
  }

  /** The next of this leg's SEND_BUFFERS packet buffers (made on first use: a receive-only leg has none). */
  private nextPacketBuffer(): Buffer {
    const index = this.sent % SEND_BUFFERS;
    return (this.packets[index] ??= Buffer.alloc(RTP_HEADER_BYTES + FRAME_SAMPLES));
  }

  private onRtp(msg: Buffer, from: Endpoint): void {
    const start = rtpPayloadStart(msg);
    if (start < 0 || rtpPayloadType(msg) !== PCMU) return;
    const ssrc = rtpSsrc(msg);
    if (this.ssrcHeard === undefined) {
      // A late packet of the pair's previous call must not become this call's stream.
      if (ssrc === this.pair.lastSsrc) {
        this.stray++;
        return;
      }
      this.ssrcHeard = ssrc;
    } else if (ssrc !== this.ssrcHeard) {
      this.stray++;
      return;
    }
    const arrival = this.arrival;
    arrival.sequenceNumber = rtpSequenceNumber(msg);
    arrival.timestamp = rtpTimestamp(msg);
    arrival.arrivalMs = this.now();
    arrival.bytes = msg.length;
    this.stats.onPacket(arrival);
    this.wire?.(false, msg, from);
    // One memcpy into the frame's slot (a view, not Buffer.subarray: no species lookup).
    const frame = this.framesHeard++ % HEARD_FRAMES;
    const length = Math.min(rtpPayloadEnd(msg) - start, FRAME_SAMPLES);
    this.heard.set(new Uint8Array(msg.buffer, msg.byteOffset + start, length), frame * FRAME_SAMPLES);
    this.heardLength[frame] = length;
  }

  /** The frames heard, decoded; a frame shorter than 20 ms is padded with silence. */
  private heardAudio(): Int16Array {
    const audio = new Int16Array(HEARD_FRAMES * FRAME_SAMPLES);
    for (let f = 0; f < Math.min(this.framesHeard, HEARD_FRAMES); f++) {
      const from = f * FRAME_SAMPLES;
      for (let i = from; i < from + this.heardLength[f]!; i++) audio[i] = ULAW[this.heard[i]!]!;
    }
    return audio;
  }

  /**
   * Share of the heard energy at `hz`, frame by frame. Every load tone is a multiple of 50 Hz,
   * so a 20 ms frame holds whole cycles of it: each frame is its own exact Goertzel bin, and
   * neighbouring tones (50 Hz apart) fall on orthogonal bins. Summing per-frame powers instead
   * of reading 200 ms as one block keeps the verdict right when frames were lost or the
   * sender stalled (the phase jumps between frames, which would smear one long block).
   */
  private dominance(audio: Int16Array, hz: number): number {
    const frames = Math.min(this.framesHeard, HEARD_FRAMES);
    let power = 0;
    let energy = 0;
    for (let f = 0; f < frames; f++) {
      const from = f * FRAME_SAMPLES;
      power += goertzelPower(audio, hz, SAMPLE_RATE, from, from + FRAME_SAMPLES);
      for (let i = from; i < from + FRAME_SAMPLES; i++) energy += audio[i]! * audio[i]!;
    }
    const samples = frames * FRAME_SAMPLES;
    if (samples === 0 || Math.sqrt(energy / samples) < MIN_RMS) return 0;
    return (2 * power) / (FRAME_SAMPLES * energy);
  }

  /** Stops sending and receiving (idempotent); what this side sent and heard. The pair goes back to the pool afterwards. */
  stop(): StreamResult {
    this.unregister?.();
    this.unregister = undefined;
    if (this.pair.onRtp) this.pair.lastSsrc = this.ssrcHeard ?? this.pair.lastSsrc;
    this.pair.onRtp = undefined;
    const snapshot = this.stats.snapshot();
    let heard: StreamResult['heard'] = 'nothing';
    const audio = this.heardAudio();
    if (this.dominance(audio, this.expectHz) >= MIN_DOMINANCE) heard = 'expected';
    else if (snapshot.packets > 0 && LOAD_TONES.some((hz) => hz !== this.expectHz && this.dominance(audio, hz) >= MIN_DOMINANCE)) heard = 'other';
    return {
      sent: this.sent,
      skipped: this.skipped,
      received: snapshot.packets,
      expected: snapshot.packets + snapshot.lost,
      lost: snapshot.lost,
      jitterMs: snapshot.jitterMs,
      mos: snapshot.mos,
      heard,
      stray: this.stray,
    };
  }
}
