import { decodeHistogram, encodeHistogram, newHistogram, type LatencyHistogram } from './histograms.js';

/**
 * What `--media rtp` counts: one verdict per answered call, and per direction that arrived its
 * RFC 3550 loss and jitter and an E-model MOS. Plain numbers so a worker can post them, and
 * additive so merging workers or shards is a sum (histograms add bucket by bucket, exactly).
 *
 * Verdicts (every judged call is exactly one of them, so twoWay + oneWay + noAudio = calls):
 * - two-way: each side heard the other's tone (every direction we can judge did);
 * - one-way: one side heard the other's tone and the other side did not; with --callee-uri
 *   only the caller's ear is ours, and a caller that sent but heard nothing counts here;
 * - no audio: neither side heard the other's tone.
 * Loss, jitter and MOS describe the streams that arrived; a stream that never arrived shows
 * in the verdicts (and `silentStreams`), not as 100 % loss.
 */
export interface MediaCounters {
  calls: number;
  twoWay: number;
  oneWay: number;
  noAudio: number;
  /** Directions judged, and those of them that received no RTP at all. */
  streams: number;
  silentStreams: number;
  /** Directions that heard a tone, but not the one the other side of this call sends (crossed media). */
  wrongTone: number;
  packetsSent: number;
  /**
   * 20 ms frames that went without a packet of their own: after a stall the pacer sends one
   * packet for every frame that passed (pacer.ts), so a sender late by 100 ms skips 4. With
   * packetsSent, what share of the audio clock the senders kept up with.
   */
  framesSkipped: number;
  packetsReceived: number;
  /** RFC 3550 §A.3 over every stream: expected = highest − base + 1 sequence numbers; lost = expected − received. */
  packetsExpected: number;
  packetsLost: number;
  /** RTP from an SSRC other than the stream's (a previous call's late packets on a reused port). */
  strayPackets: number;
  /** Calls refused because every RTP port pair was in use (the caller's call fails; our callee answers 503). */
  portsExhausted: number;
}

export function newMediaCounters(): MediaCounters {
  return { calls: 0, twoWay: 0, oneWay: 0, noAudio: 0, streams: 0, silentStreams: 0, wrongTone: 0, packetsSent: 0, framesSkipped: 0, packetsReceived: 0, packetsExpected: 0, packetsLost: 0, strayPackets: 0, portsExhausted: 0 };
}

export function addMediaCounters(into: MediaCounters, from: MediaCounters): void {
  for (const key of Object.keys(into) as (keyof MediaCounters)[]) into[key] += from[key] ?? 0;
}

/**
 * Per-direction histograms, in integer units HDR can hold: loss in hundredths of a percent,
 * jitter in hundredths of a millisecond, MOS × 100. HDR with 3 significant digits keeps values
 * below 2048 exact, so loss up to 20 %, jitter up to 20 ms and every MOS read back as recorded.
 * `send_jitter` is per packet sent, not per direction: |interval since the stream's previous
 * send − 20 ms|, in hundredths of a millisecond (the shared pacer's precision under this load).
 */
export const MEDIA_HISTOGRAM_NAMES = ['rtp_loss', 'rtp_jitter', 'mos', 'send_jitter'] as const;
export type MediaHistogramName = (typeof MEDIA_HISTOGRAM_NAMES)[number];
export type MediaHistograms = Record<MediaHistogramName, LatencyHistogram>;
export type EncodedMediaHistograms = Record<MediaHistogramName, string>;

/** How each histogram's integers become the unit it is reported in (%, ms, MOS). */
const SCALE: Record<MediaHistogramName, number> = { rtp_loss: 100, rtp_jitter: 100, mos: 100, send_jitter: 100 };

/** What one direction of one call measured when it ended. */
export interface StreamResult {
  sent: number;
  /** Frames covered by another packet after a stall (MediaCounters.framesSkipped). */
  skipped: number;
  received: number;
  expected: number;
  lost: number;
  jitterMs: number;
  mos: number | undefined;
  /** Heard the other side's tone; `other`: a different tone; `nothing`: silence, noise or no RTP. */
  heard: 'expected' | 'other' | 'nothing';
  stray: number;
}

/** The live media numbers of one engine. */
export class MediaStats {
  readonly counters = newMediaCounters();
  readonly histograms: MediaHistograms = newMediaHistograms();

  /** One direction (its receiver's view, its sender's count). */
  addStream(stream: StreamResult): void {
    const c = this.counters;
    c.streams++;
    c.packetsSent += stream.sent;
    c.framesSkipped += stream.skipped;
    c.packetsReceived += stream.received;
    c.packetsExpected += stream.expected;
    c.packetsLost += stream.lost;
    c.strayPackets += stream.stray;
    if (stream.heard === 'other') c.wrongTone++;
    if (stream.received === 0) {
      c.silentStreams++;
      return;
    }
    this.histograms.rtp_loss.recordValue(stream.expected > 0 ? Math.round((SCALE.rtp_loss * 100 * stream.lost) / stream.expected) : 0);
    this.histograms.rtp_jitter.recordValue(Math.round(stream.jitterMs * SCALE.rtp_jitter));
    if (stream.mos !== undefined) this.histograms.mos.recordValue(Math.round(stream.mos * SCALE.mos));
  }

  /** One call's verdict from the directions judged (see MediaCounters). */
  addCall(heard: readonly boolean[]): void {
    const c = this.counters;
    c.calls++;
    const yes = heard.filter(Boolean).length;
    if (yes === heard.length) c.twoWay++;
    else if (yes > 0 || heard.length === 1) c.oneWay++;
    else c.noAudio++;
  }

  snapshot(): MediaSnapshot {
    return { counters: { ...this.counters }, histograms: encodeMediaHistograms(this.histograms) };
  }
}

export interface MediaSnapshot {
  counters: MediaCounters;
  histograms: EncodedMediaHistograms;
}

export function newMediaHistograms(): MediaHistograms {
  return { rtp_loss: newHistogram(), rtp_jitter: newHistogram(), mos: newHistogram(), send_jitter: newHistogram() };
}

export function encodeMediaHistograms(set: MediaHistograms): EncodedMediaHistograms {
  return { rtp_loss: encodeHistogram(set.rtp_loss), rtp_jitter: encodeHistogram(set.rtp_jitter), mos: encodeHistogram(set.mos), send_jitter: encodeHistogram(set.send_jitter) };
}

/** Sums snapshots (workers, shards): undefined when none of them ran media. */
export function mergeMediaSnapshots(snapshots: readonly (MediaSnapshot | undefined)[]): { counters: MediaCounters; histograms: MediaHistograms } | undefined {
  const present = snapshots.filter((s): s is MediaSnapshot => s !== undefined);
  if (present.length === 0) return undefined;
  const counters = newMediaCounters();
  const histograms = newMediaHistograms();
  for (const snapshot of present) {
    addMediaCounters(counters, snapshot.counters);
    for (const name of MEDIA_HISTOGRAM_NAMES) histograms[name].add(decodeHistogram(snapshot.histograms[name]));
  }
  return { counters, histograms };
}

/** Percentiles in the histogram's unit. p1/p5/p10 matter for MOS (its bad tail is low), p95/p99 for loss and jitter. */
export const MEDIA_STATS = ['min', 'p1', 'p5', 'p10', 'p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const;
export type MediaStat = (typeof MEDIA_STATS)[number];
export type MediaSummary = { count: number } & Record<MediaStat, number>;

export function summarizeMedia(histogram: LatencyHistogram, name: MediaHistogramName): MediaSummary {
  const scale = SCALE[name];
  const v = (raw: number): number => Math.round((raw / scale) * 1000) / 1000;
  const summary = { count: histogram.totalCount } as MediaSummary;
  for (const stat of MEDIA_STATS) {
    if (histogram.totalCount === 0) summary[stat] = 0;
    else if (stat === 'min') summary[stat] = v(histogram.getValueAtPercentile(0));
    else if (stat === 'max') summary[stat] = v(histogram.maxValue);
    else if (stat === 'mean') summary[stat] = v(histogram.mean);
    else summary[stat] = v(histogram.getValueAtPercentile(stat === 'p999' ? 99.9 : Number(stat.slice(1))));
  }
  return summary;
}

/** What LoadResult carries for a media run. */
export interface MediaResult {
  counters: MediaCounters;
  /** packetsLost / packetsExpected, percent. */
  lossPercent: number;
  summaries: Record<MediaHistogramName, MediaSummary>;
  histograms: EncodedMediaHistograms;
}

export function mediaResult(merged: { counters: MediaCounters; histograms: MediaHistograms }): MediaResult {
  const c = merged.counters;
  const summaries = {} as Record<MediaHistogramName, MediaSummary>;
  for (const name of MEDIA_HISTOGRAM_NAMES) summaries[name] = summarizeMedia(merged.histograms[name], name);
  return {
    counters: c,
    lossPercent: c.packetsExpected > 0 ? Math.round((1e5 * c.packetsLost) / c.packetsExpected) / 1000 : 0,
    summaries,
    histograms: encodeMediaHistograms(merged.histograms),
  };
}
