/**
 * The receiving half of an RTP session: what the peer's packets tell us. RFC 3550 statistics
 * per remote SSRC (totals carried across an SSRC change), the decoded audio for tone detection
 * and recording, and the RFC 4733 digits heard.
 */

import type { Logger } from 'pino';
import type { MediaStreamStats } from '../events/types.js';
import { AudioHistory } from './audio-history.js';
import { DtmfReceiver } from './dtmf.js';
import { codecOfPayloadType, g711DecodeTable } from './g711.js';
import { detectTone } from './goertzel.js';
import type { RtpView } from './rtp-wire.js';
import { RtpReceiverStats } from './rtp-stats.js';
import { SAMPLE_RATE } from './tone.js';

/** The tone detector reads the last 200 ms heard without a break, or at least 50 ms of it. */
const TONE_WINDOW_SAMPLES = SAMPLE_RATE / 5;
const TONE_MIN_SAMPLES = SAMPLE_RATE / 20;

export interface RtpReceiverOptions {
  /** Samples of decoded audio kept for tone detection. */
  historySamples: number;
  /** Keep everything heard for `recording()`. */
  record: boolean;
  logger: Logger;
}

export class RtpReceiver {
  private readonly history: AudioHistory;
  private readonly dtmf = new DtmfReceiver();
  private readonly logger: Logger;
  private remoteSsrc: number | undefined;
  private current = new RtpReceiverStats(SAMPLE_RATE);
  private archived: MediaStreamStats | undefined;
  private reference: number | undefined;
  /** The RTP timestamp the next audio packet has when it continues the last one. */
  private nextTimestamp: number | undefined;
  /** What had been heard when the call was answered. */
  private heardBeforeAnswer: { packets: number; detectedHz?: number } | undefined;

  constructor(options: RtpReceiverOptions) {
    this.history = new AudioHistory(options.historySamples, options.record);
    this.logger = options.logger;
  }

  /** First-packet delay is measured from here (the answer that started media). */
  setReference(atMs: number): void {
    this.reference = atMs;
    this.current.setReference(atMs);
  }

  /** The SSRC we hear now, once anything has arrived. */
  get ssrc(): number | undefined {
    return this.remoteSsrc;
  }

  /** Packets received from the current SSRC. */
  get packets(): number {
    return this.current.packets;
  }

  /** Values for an RTCP report block about the current SSRC; starts a new fraction-lost interval. */
  takeReceptionReport(): ReturnType<RtpReceiverStats['takeReceptionReport']> {
    return this.current.takeReceptionReport();
  }

  /** One RTP packet; `telephoneEventPt` as negotiated (undefined: no DTMF). */
  onPacket(header: RtpView, msg: Buffer, arrivalMs: number, telephoneEventPt: number | undefined): void {
    if (this.remoteSsrc !== header.ssrc) this.switchSource(header.ssrc);
    const isEvent = telephoneEventPt !== undefined && header.payloadType === telephoneEventPt;
    // RFC 4733 §2.3.1: event packets keep the event's start timestamp, so they say nothing about jitter.
    this.current.onPacket({ sequenceNumber: header.sequenceNumber, timestamp: header.timestamp, arrivalMs, bytes: msg.length, skipJitter: isEvent });
    if (isEvent) {
      const digit = this.dtmf.onPacket(header.timestamp, msg.subarray(header.payloadStart, header.payloadEnd));
      if (digit !== undefined) this.logger.debug({ digit }, 'DTMF received');
      return;
    }
    const codec = codecOfPayloadType(header.payloadType);
    if (!codec) {
      this.logger.debug({ payloadType: header.payloadType }, 'RTP with a payload type we do not decode');
      return;
    }
    // RFC 3550 §5.1: a timestamp that does not follow on means audio the sender skipped (its
    // loop stalled, a DTMF event) or a new source; the tone detector must not read across it.
    if (header.timestamp !== this.nextTimestamp) this.history.markBreak();
    this.history.pushEncoded(msg, header.payloadStart, header.payloadEnd, g711DecodeTable(codec));
    this.nextTimestamp = (header.timestamp + header.payloadEnd - header.payloadStart) >>> 0;
  }

  /**
   * The call was answered (its 200 sent or received): keep what was heard until now, early
   * media (RFC 3960) from a 183 with SDP. Only the first call counts.
   */
  markAnswered(): void {
    if (this.heardBeforeAnswer) return;
    const packets = (this.archived?.packets ?? 0) + this.current.packets;
    const heard = packets > 0 ? detectTone(this.history.newestContinuous(TONE_MIN_SAMPLES, TONE_WINDOW_SAMPLES)) : undefined;
    this.heardBeforeAnswer = { packets, ...(heard === undefined ? {} : { detectedHz: heard }) };
  }

  /** Everything heard so far; `oneWayDelayMs` (half the RTCP round trip) feeds the MOS estimate. */
  snapshot(oneWayDelayMs: number): MediaStreamStats {
    const received = mergeStreamStats(this.archived, this.current.snapshot(oneWayDelayMs));
    const heard = detectTone(this.history.newestContinuous(TONE_MIN_SAMPLES, TONE_WINDOW_SAMPLES));
    if (heard !== undefined) received.detectedHz = heard;
    if (this.dtmf.digits) received.dtmf = this.dtmf.digits;
    if (this.heardBeforeAnswer) received.beforeAnswer = this.heardBeforeAnswer;
    return received;
  }

  /** The most recent decoded audio (the history length given at construction). */
  heardAudio(): Int16Array {
    return this.history.recent();
  }

  /** Everything heard since the start, when recording. */
  recording(): Int16Array {
    return this.history.recording();
  }

  /** A new SSRC (the peer restarted its sender, a B2BUA switched legs): totals carry over. */
  private switchSource(ssrc: number): void {
    if (this.remoteSsrc !== undefined) {
      this.logger.debug({ from: this.remoteSsrc, to: ssrc }, 'remote SSRC changed');
      this.archived = mergeStreamStats(this.archived, this.current.snapshot());
      this.current = new RtpReceiverStats(SAMPLE_RATE);
    } else if (this.reference !== undefined) {
      this.current.setReference(this.reference);
    }
    this.remoteSsrc = ssrc;
  }
}

/** Sums two streams' counters; jitter and MOS from the later one, first-packet delay from the first. */
function mergeStreamStats(earlier: MediaStreamStats | undefined, later: MediaStreamStats): MediaStreamStats {
  if (!earlier) return later;
  const merged: MediaStreamStats = {
    ...later,
    packets: earlier.packets + later.packets,
    bytes: earlier.bytes + later.bytes,
    lost: earlier.lost + later.lost,
    outOfOrder: earlier.outOfOrder + later.outOfOrder,
    duplicates: earlier.duplicates + later.duplicates,
  };
  if (earlier.firstPacketDelayMs !== undefined) merged.firstPacketDelayMs = earlier.firstPacketDelayMs;
  return merged;
}
