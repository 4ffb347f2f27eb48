/**
 * Receiver statistics for one incoming RTP stream, as RFC 3550 defines them:
 * - sequence tracking with 16-bit wrap into an extended sequence number (§A.1);
 * - cumulative loss = expected − received, expected = extended highest − base + 1 (§A.3);
 *   duplicates are counted apart and not as received, so loss never goes negative from them;
 * - interarrival jitter J += (|D(i−1,i)| − J) / 16 in timestamp units (§6.4.1, §A.8);
 * - fraction lost over the interval since the previous report (§6.4.1, §A.3).
 * It also estimates a listening MOS with a simplified ITU-T G.107 E-model.
 */

import type { MediaStreamStats } from '../events/types.js';

export interface RtpArrival {
  sequenceNumber: number;
  /** RTP timestamp of the packet, in units of `clockRate`. */
  timestamp: number;
  /** Arrival time, milliseconds (any origin, same as the session's reference). */
  arrivalMs: number;
  /** Packet size on the wire (RTP header + payload). */
  bytes: number;
  /**
   * Leave jitter alone: RFC 4733 event packets repeat their start timestamp, so their transit
   * time grows 20 ms per packet without any network jitter.
   */
  skipJitter?: boolean;
}

/** Values an RTCP reception report block carries (RFC 3550 §6.4.1). */
export interface ReceptionReport {
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSequence: number;
  /** Jitter in timestamp units, integer. */
  jitter: number;
}

const SEQ_MOD = 0x10000;
const DUPLICATE_WINDOW = 0x10000;

export class RtpReceiverStats {
  private readonly clockRate: number;
  private received = 0;
  private bytes = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private baseExt = -1;
  private highestExt = -1;
  private jitter = 0;
  /** Arrival (timestamp units) and RTP timestamp of the previous packet jitter counted; NaN before the first. */
  private lastArrivalUnits = Number.NaN;
  private lastTimestamp = 0;
  private firstArrivalMs: number | undefined;
  private referenceMs: number | undefined;
  /** Extended sequence + 1 last seen at each index `ext % window`, for duplicate detection. */
  private readonly seen: Float64Array;
  private priorExpected = 0;
  private priorReceived = 0;

  /**
   * `duplicateWindow`: how many sequence numbers back a duplicate is still recognised (8 bytes
   * each). The default covers the whole 16-bit space; a load with a thousand streams uses a
   * smaller one (1024 packets are 20 s of audio), or its receivers alone would take 512 MB.
   */
  constructor(clockRate = 8000, duplicateWindow = DUPLICATE_WINDOW) {
    this.clockRate = clockRate;
    this.seen = new Float64Array(duplicateWindow);
  }

  /** Time first-packet delay is measured from (media start, answer sent, …). */
  setReference(ms: number): void {
    this.referenceMs = ms;
  }

  onPacket(arrival: RtpArrival): void {
    const ext = this.extend(arrival.sequenceNumber);
    const slot = ext % this.seen.length;
    if (this.seen[slot] === ext + 1) {
      this.duplicates++;
      return;
    }
    this.seen[slot] = ext + 1;
    if (this.highestExt < 0) {
      this.baseExt = ext;
      this.highestExt = ext;
      this.firstArrivalMs = arrival.arrivalMs;
    } else if (ext > this.highestExt) {
      this.highestExt = ext;
    } else {
      this.outOfOrder++;
      if (ext < this.baseExt) this.baseExt = ext;
    }
    this.received++;
    this.bytes += arrival.bytes;
    if (!arrival.skipJitter) this.updateJitter(arrival);
  }

  /**
   * RFC 3550 §A.8, with the arrival clock converted to timestamp units. The RTP timestamp is
   * 32-bit and starts at a random value (§5.1), so it can wrap within a stream (a 10 s call at
   * 8 kHz spans 80,000 of its 2^32 values): D is taken modulo 2^32, as §A.8's unsigned
   * arithmetic does, or the wrap alone would read as 2^32 units (6 days at 8 kHz) of jitter.
   */
  private updateJitter(arrival: RtpArrival): void {
    const arrivalUnits = (arrival.arrivalMs * this.clockRate) / 1000;
    if (!Number.isNaN(this.lastArrivalUnits)) {
      let d = arrivalUnits - this.lastArrivalUnits - ((arrival.timestamp - this.lastTimestamp) | 0);
      if (d < 0) d = -d;
      this.jitter += (d - this.jitter) / 16;
    }
    this.lastArrivalUnits = arrivalUnits;
    this.lastTimestamp = arrival.timestamp;
  }

  /** Extends a 16-bit sequence number relative to the highest one seen (handles wrap both ways). */
  private extend(seq: number): number {
    if (this.highestExt < 0) return SEQ_MOD + seq; // start one cycle up so early reordering stays ≥ 0
    const highestSeq = this.highestExt % SEQ_MOD;
    const delta = ((seq - highestSeq + SEQ_MOD + SEQ_MOD / 2) % SEQ_MOD) - SEQ_MOD / 2;
    return this.highestExt + delta;
  }

  get packets(): number {
    return this.received;
  }

  get jitterMs(): number {
    return (this.jitter * 1000) / this.clockRate;
  }

  get lost(): number {
    if (this.highestExt < 0) return 0;
    return Math.max(0, this.highestExt - this.baseExt + 1 - this.received);
  }

  /** Values for an RTCP report block; also starts a new fraction-lost interval. */
  takeReceptionReport(): ReceptionReport {
    const expected = this.highestExt < 0 ? 0 : this.highestExt - this.baseExt + 1;
    const expectedInterval = expected - this.priorExpected;
    const receivedInterval = this.received - this.priorReceived;
    const lostInterval = expectedInterval - receivedInterval;
    this.priorExpected = expected;
    this.priorReceived = this.received;
    return {
      fractionLost: expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval),
      cumulativeLost: Math.min(this.lost, 0x7fffff),
      extendedHighestSequence: this.highestExt < 0 ? 0 : (this.highestExt - SEQ_MOD) >>> 0,
      jitter: Math.floor(this.jitter),
    };
  }

  /** Snapshot in the shape events carry. `oneWayDelayMs` (e.g. RTT/2 from RTCP) feeds the MOS. */
  snapshot(oneWayDelayMs = 0): MediaStreamStats {
    const stats: MediaStreamStats = {
      packets: this.received,
      bytes: this.bytes,
      lost: this.lost,
      outOfOrder: this.outOfOrder,
      duplicates: this.duplicates,
      jitterMs: round3(this.jitterMs),
    };
    if (this.received > 0) {
      const expected = this.highestExt - this.baseExt + 1;
      stats.mos = round3(estimateMos({ lossPercent: (100 * this.lost) / expected, jitterMs: this.jitterMs, oneWayDelayMs }));
    }
    if (this.firstArrivalMs !== undefined && this.referenceMs !== undefined) {
      stats.firstPacketDelayMs = round3(this.firstArrivalMs - this.referenceMs);
    }
    return stats;
  }
}

export interface MosInput {
  lossPercent: number;
  jitterMs: number;
  oneWayDelayMs: number;
}

/**
 * Simplified ITU-T G.107 E-model for G.711 (Ie = 0, Bpl = 4.3: random loss, no concealment,
 * per G.113 Appendix I). Jitter counts twice into the effective delay, as a jitter buffer
 * sized to it would add; 10 ms covers packetization lookahead. R = 93.2 − Id − Ie,eff, then
 * the G.107 Annex B mapping to MOS (1 … 4.5).
 */
export function estimateMos(input: MosInput): number {
  const delay = input.oneWayDelayMs + 2 * input.jitterMs + 10;
  const id = 0.024 * delay + (delay > 177.3 ? 0.11 * (delay - 177.3) : 0);
  const loss = Math.max(0, Math.min(100, input.lossPercent));
  const ieEff = (95 * loss) / (loss + 4.3);
  const r = 93.2 - id - ieEff;
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
