import { MEDIA_STATS, type MediaCounters, type MediaResult, type MediaStat } from './media-stats.js';

/**
 * Threshold metrics of `--media rtp` runs (see thresholds.ts for the syntax):
 *
 *   mos_<stat>            per direction, e.g. mos_p5>4.0 (stats: min p1 p5 p10 p50 p90 p95 p99 p999 max mean)
 *   rtp_jitter_<stat>     per direction, RFC 3550 interarrival jitter, ms unless us/s is given
 *   send_jitter_<stat>    per packet sent, |send interval − 20 ms|, ms unless us/s is given: send_jitter_p99<5ms
 *   rtp_loss_<stat>       per direction, percent: rtp_loss_p99<1%
 *   rtp_loss              every stream together (lost / expected), percent: rtp_loss<0.5%
 *   one_way_audio, no_audio, two_way_audio    calls, or % of the calls judged
 *   wrong_tone, silent_streams                directions, or % of the directions judged
 *   ports_exhausted, media_calls              calls
 *   frames_skipped        frames a late sender covered with its next packet (20 ms each), or % of the frames due: frames_skipped<0.1%
 */
const COUNTS: Record<string, { read: (c: MediaCounters) => number; of?: (c: MediaCounters) => number }> = {
  one_way_audio: { read: (c) => c.oneWay, of: (c) => c.calls },
  no_audio: { read: (c) => c.noAudio, of: (c) => c.calls },
  two_way_audio: { read: (c) => c.twoWay, of: (c) => c.calls },
  wrong_tone: { read: (c) => c.wrongTone, of: (c) => c.streams },
  silent_streams: { read: (c) => c.silentStreams, of: (c) => c.streams },
  ports_exhausted: { read: (c) => c.portsExhausted },
  media_calls: { read: (c) => c.calls },
  frames_skipped: { read: (c) => c.framesSkipped, of: (c) => c.packetsSent + c.framesSkipped },
};

const HISTOGRAMS = { mos: 'mos', rtp_jitter: 'rtp_jitter', rtp_loss: 'rtp_loss', send_jitter: 'send_jitter' } as const;

export type MediaMetric = { kind: 'count'; name: string } | { kind: 'loss' } | { kind: 'histogram'; name: keyof typeof HISTOGRAMS; stat: MediaStat };

/** The media metric a threshold names, or undefined when it is not one. */
export function mediaMetric(metric: string): MediaMetric | undefined {
  if (metric in COUNTS) return { kind: 'count', name: metric };
  if (metric === 'rtp_loss') return { kind: 'loss' };
  const cut = metric.lastIndexOf('_');
  const name = metric.slice(0, cut);
  const stat = metric.slice(cut + 1);
  if (name in HISTOGRAMS && (MEDIA_STATS as readonly string[]).includes(stat)) return { kind: 'histogram', name: name as keyof typeof HISTOGRAMS, stat: stat as MediaStat };
  return undefined;
}

/** What is wrong with this unit for this metric, if anything; and the value in the metric's unit (ms, %, MOS, count, fraction). */
export function mediaValue(metric: MediaMetric, value: number, unit: string | undefined): { value: number; percent: boolean } | { problem: string } {
  switch (metric.kind) {
    case 'loss':
      return unit === '%' ? { value, percent: true } : { problem: 'rtp_loss is a percentage: write e.g. rtp_loss<0.5%' };
    case 'count': {
      if (unit === '%' && COUNTS[metric.name]!.of === undefined) return { problem: `${metric.name} is a count: give a number` };
      if (unit !== undefined && unit !== '%') return { problem: `${metric.name} is a count: give a number or a percentage` };
      return unit === '%' ? { value: value / 100, percent: true } : { value, percent: false };
    }
    case 'histogram':
      if (metric.name === 'rtp_loss') return unit === '%' ? { value, percent: true } : { problem: `rtp_loss_${metric.stat} is a percentage: write e.g. rtp_loss_p99<1%` };
      if (metric.name === 'mos') return unit === undefined ? { value, percent: false } : { problem: 'MOS has no unit: write e.g. mos_p5>4.0' };
      if (unit === '%') return { problem: `${metric.name}_${metric.stat} is a time: use us, ms or s` };
      return { value: unit === 's' ? value * 1000 : unit === 'us' ? value / 1000 : value, percent: false };
  }
}

/** The measured value (compared, and shown with its unit); a run without media measured nothing: zeros. */
export function measureMedia(metric: MediaMetric, percent: boolean, media: MediaResult | undefined): { compared: number; actual: number; unit: string } {
  if (metric.kind === 'loss') {
    const loss = media?.lossPercent ?? 0;
    return { compared: loss, actual: loss, unit: '%' };
  }
  if (metric.kind === 'histogram') {
    const value = media?.summaries[metric.name][metric.stat] ?? 0;
    return { compared: value, actual: value, unit: metric.name === 'mos' ? '' : metric.name === 'rtp_loss' ? '%' : 'ms' };
  }
  const count = COUNTS[metric.name]!;
  const n = media ? count.read(media.counters) : 0;
  if (!percent) return { compared: n, actual: n, unit: '' };
  const of = media && count.of ? count.of(media.counters) : 0;
  const fraction = of > 0 ? n / of : 0;
  return { compared: fraction, actual: fraction * 100, unit: '%' };
}
