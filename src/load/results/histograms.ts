// The package's modules that build, record and encode, not its index: that also loads the
// histogram log writer, whose module-level Intl.NumberFormat alone adds ~7 MB of ICU data to
// a load's RSS (issue 17), for a log format sipbots does not write.
import type * as HistogramModule from 'hdr-histogram-js/dist/Histogram.js';
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';

/**
 * Latency histograms of a load run, in microseconds (HDR, 3 significant digits, 1 µs to
 * 1 hour). Workers send them to the parent as compressed base64; decoding and `add()` merges
 * them exactly: the merged histogram equals one that saw every sample.
 *
 * Sized for what a load measures, grown on demand: 32-bit counts (2^31 samples in one bucket
 * of 0.1 % width would take a year at 60,000/s), and room up to 1 minute at first, resized
 * (exactly) by the first sample or merge beyond it. Sized for 1 hour with 64-bit counts,
 * each histogram was a 188 KB array from the start, 1.1 MB of RSS for the six of a run
 * (issue 17); now each is 70 KB.
 */
export const HISTOGRAM_NAMES = ['setup_180', 'setup_200', 'register', 'bye', 'options', 'response'] as const;
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];

export type LatencyHistogram = HistogramModule.default;
export type HistogramSet = Record<HistogramName, LatencyHistogram>;
export type EncodedHistograms = Record<HistogramName, string>;

const HIGHEST_US = 3_600_000_000;
const INITIAL_HIGHEST_US = 60_000_000;
const BUCKET_BITS = 32;

export function newHistogram(): LatencyHistogram {
  return build({ bitBucketSize: BUCKET_BITS, lowestDiscernibleValue: 1, highestTrackableValue: INITIAL_HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function newHistogramSet(): HistogramSet {
  const set = {} as HistogramSet;
  for (const name of HISTOGRAM_NAMES) set[name] = newHistogram();
  return set;
}

/** Records a duration given in (fractional) milliseconds; clamped to [1 µs, 1 h]. */
export function recordMs(histogram: LatencyHistogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
}

export function encodeHistogram(histogram: LatencyHistogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  return decodeFromCompressedBase64(encoded, BUCKET_BITS);
}

export function encodeHistograms(set: HistogramSet): EncodedHistograms {
  const encoded = {} as EncodedHistograms;
  for (const name of HISTOGRAM_NAMES) encoded[name] = encodeHistogram(set[name]);
  return encoded;
}

/** Adds every encoded set into `into` (exact: bucket counts are summed). */
export function mergeEncoded(into: HistogramSet, encoded: EncodedHistograms): void {
  for (const name of HISTOGRAM_NAMES) {
    const text = encoded[name];
    if (text) into[name].add(decodeHistogram(text));
  }
}

export interface LatencySummary {
  count: number;
  min_ms: number;
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
}

export function summarize(histogram: LatencyHistogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (histogram.totalCount === 0) return { count: 0, min_ms: 0, mean_ms: 0, p50_ms: 0, p90_ms: 0, p99_ms: 0, p999_ms: 0, max_ms: 0 };
  return {
    count: histogram.totalCount,
    min_ms: ms(histogram.minNonZeroValue),
    mean_ms: ms(meanOf(histogram)),
    p50_ms: ms(histogram.getValueAtPercentile(50)),
    p90_ms: ms(histogram.getValueAtPercentile(90)),
    p99_ms: ms(histogram.getValueAtPercentile(99)),
    p999_ms: ms(histogram.getValueAtPercentile(99.9)),
    max_ms: ms(histogram.maxValue),
  };
}

/** The parts of hdr-histogram-js's JsHistogram (what `build` and the decoder return) that `meanOf` reads. */
interface CountsArray {
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  medianEquivalentValue(value: number): number;
}

/**
 * `histogram.mean`, the same sum in the same order (each non-empty bucket's median value times
 * its count, lowest first), without the library's iterator: that allocates an iteration object
 * per bucket and cost ~40 ms per histogram, paid once a second for the live line and six times
 * at the end of every run.
 */
export function meanOf(histogram: LatencyHistogram): number {
  if (histogram.totalCount === 0) return 0;
  const counts = histogram as unknown as CountsArray;
  const last = counts.countsArrayIndex(histogram.maxValue);
  let total = 0;
  for (let i = 0; i <= last; i++) {
    const count = counts.getCountAtIndex(i);
    if (count !== 0) total += counts.medianEquivalentValue(counts.valueFromIndex(i)) * count;
  }
  return total / histogram.totalCount;
}
