import type { LatencySummary } from './histograms.js';
import type { MediaResult } from './media-stats.js';
import { measureMedia, mediaMetric, mediaValue, type MediaMetric } from './media-thresholds.js';

/**
 * Pass/fail criteria on a finished run, k6-style: `setup_p99<200ms`, `failed<0.1%`, `cps>=300`.
 *
 *   latency:  <setup|setup_180|setup_200|register|bye|options|response>_<p50|p90|p99|p999|mean|max|min>
 *             (`setup` is INVITE→200); value in ms unless suffixed us/ms/s
 *   counts:   failed, succeeded, attempted, timeouts, retransmissions, delayed, refused — a number, or a
 *             percentage of attempted with `%`
 *   rate:     cps (arrivals started per second of the arrival phase)
 *   media:    mos_p5, rtp_jitter_p99, rtp_loss_p99, rtp_loss, one_way_audio, … (`--media rtp`, see media-thresholds.ts)
 */
export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  expression: string;
  metric: string;
  comparator: Comparator;
  /** Milliseconds for latencies, a count, a fraction (0.001 for 0.1%) or calls/s. */
  value: number;
  percent: boolean;
  /** A `--media rtp` metric. */
  media?: MediaMetric;
}

export class ThresholdError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`threshold "${expression}": ${reason}`);
    this.name = 'ThresholdError';
  }
}

const LATENCIES = ['setup', 'setup_180', 'setup_200', 'register', 'bye', 'options', 'response'] as const;
const STATS = ['p50', 'p90', 'p99', 'p999', 'mean', 'max', 'min'] as const;
const COUNTS = ['failed', 'succeeded', 'attempted', 'timeouts', 'retransmissions', 'delayed', 'refused'] as const;
const SYNTAX = /^\s*([a-z0-9_]+)\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)?)\s*(us|ms|s|%)?\s*$/;

export function parseThreshold(expression: string): Threshold {
  const match = SYNTAX.exec(expression);
  if (!match) throw new ThresholdError(expression, 'expected METRIC OP VALUE, e.g. setup_p99<200ms, failed<0.1%, cps>=300');
  const [, metric, comparator, number, unit] = match as unknown as [string, string, Comparator, string, string | undefined];
  let value = Number(number);
  if (isLatency(metric)) {
    if (unit === '%') throw new ThresholdError(expression, `${metric} is a latency: use us, ms or s`);
    value = unit === 's' ? value * 1000 : unit === 'us' ? value / 1000 : value;
    return { expression, metric, comparator, value, percent: false };
  }
  if ((COUNTS as readonly string[]).includes(metric)) {
    if (unit !== undefined && unit !== '%') throw new ThresholdError(expression, `${metric} is a count: give a number or a percentage`);
    return { expression, metric, comparator, value: unit === '%' ? value / 100 : value, percent: unit === '%' };
  }
  if (metric === 'cps') {
    if (unit !== undefined) throw new ThresholdError(expression, 'cps is calls per second: give a plain number');
    return { expression, metric, comparator, value, percent: false };
  }
  const media = mediaMetric(metric);
  if (media) {
    const checked = mediaValue(media, value, unit);
    if ('problem' in checked) throw new ThresholdError(expression, checked.problem);
    return { expression, metric, comparator, value: checked.value, percent: checked.percent, media };
  }
  throw new ThresholdError(expression, `unknown metric ${metric} (use ${LATENCIES.map((l) => `${l}_p99`).join(', ')}, …, ${COUNTS.join(', ')}, cps; with --media rtp mos_p5, rtp_jitter_p99, rtp_loss, one_way_audio, …)`);
}

/** Parses every expression, collecting every problem before giving up. */
export function parseThresholds(expressions: readonly string[]): { thresholds: Threshold[]; problems: string[] } {
  const thresholds: Threshold[] = [];
  const problems: string[] = [];
  for (const expression of expressions) {
    try {
      thresholds.push(parseThreshold(expression));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { thresholds, problems };
}

function isLatency(metric: string): boolean {
  const cut = metric.lastIndexOf('_');
  return (LATENCIES as readonly string[]).includes(metric.slice(0, cut)) && (STATS as readonly string[]).includes(metric.slice(cut + 1));
}

/** What thresholds are checked against. */
export interface ThresholdInputs {
  latency: Record<string, LatencySummary>;
  counts: Record<(typeof COUNTS)[number], number>;
  cps: number;
  /** `--media rtp` runs. */
  media?: MediaResult;
}

export interface ThresholdVerdict {
  expression: string;
  ok: boolean;
  /** The measured value in the threshold's unit (ms, count, percent or calls/s). */
  actual: number;
  unit: string;
}

export function evaluateThresholds(thresholds: readonly Threshold[], inputs: ThresholdInputs): ThresholdVerdict[] {
  return thresholds.map((t) => {
    let actual: number;
    let compared: number;
    let unit: string;
    if (t.media) {
      ({ compared, actual, unit } = measureMedia(t.media, t.percent, inputs.media));
    } else if (t.metric === 'cps') {
      actual = compared = inputs.cps;
      unit = 'calls/s';
    } else if (isLatency(t.metric)) {
      const cut = t.metric.lastIndexOf('_');
      const name = t.metric.slice(0, cut) === 'setup' ? 'setup_200' : t.metric.slice(0, cut);
      const stat = t.metric.slice(cut + 1) as (typeof STATS)[number];
      actual = compared = inputs.latency[name]![`${stat}_ms`];
      unit = 'ms';
    } else {
      const count = inputs.counts[t.metric as (typeof COUNTS)[number]];
      const attempted = inputs.counts.attempted;
      compared = t.percent ? (attempted > 0 ? count / attempted : 0) : count;
      actual = t.percent ? compared * 100 : compared;
      unit = t.percent ? '%' : '';
    }
    return { expression: t.expression, ok: compare(compared, t.comparator, t.value), actual: round(actual), unit };
  });
}

function compare(a: number, op: Comparator, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
