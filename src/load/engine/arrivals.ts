/**
 * Open-model arrivals (the generator does not wait for the system under test): the time of
 * the n-th arrival follows from the rate alone. The rate is constant (`--rate`) or piecewise
 * linear (`--ramp`); arrivals are evenly spaced (constant) or a Poisson process. Times are
 * found by inverting the cumulative rate Λ(t) = ∫rate, stage by stage, so that a ramp starting
 * at 0/s is exact instead of waiting out a near-infinite first gap.
 */
export type ArrivalKind = 'constant' | 'poisson';

export interface RampStage {
  /** Target rate (arrivals per second) reached at the end of the stage. */
  rate: number;
  durationMs: number;
}

export interface ArrivalOptions {
  /** Rate before/without stages; with stages, the rate the first stage ramps from (default 0). */
  rate: number;
  ramp?: readonly RampStage[];
  kind: ArrivalKind;
  /** Uniform [0, 1) source, injected for reproducible Poisson runs. */
  random: () => number;
}

interface Segment {
  startS: number;
  durationS: number;
  /** rate(t) = a + b·(t − start), per second. */
  a: number;
  b: number;
}

export class ArrivalSchedule {
  private readonly segments: Segment[] = [];
  private segment = 0;
  /** Λ consumed inside the current segment, and time of the last arrival (seconds). */
  private usedInSegment = 0;
  private last = 0;
  private started = false;

  constructor(private readonly options: ArrivalOptions) {
    let start = 0;
    let from = options.rate;
    for (const stage of options.ramp ?? []) {
      const durationS = stage.durationMs / 1000;
      this.segments.push({ startS: start, durationS, a: from, b: durationS > 0 ? (stage.rate - from) / durationS : 0 });
      start += durationS;
      from = stage.rate;
    }
    this.segments.push({ startS: start, durationS: Infinity, a: from, b: 0 });
  }

  /** Total length of the ramp stages in ms (0 without stages). */
  get rampMs(): number {
    return this.segments[this.segments.length - 1]!.startS * 1000;
  }

  /** Offset in ms from the start of the run of the next arrival; Infinity if the rate stays 0. */
  next(): number {
    // The first arrival is at 0, so N arrivals at R/s span exactly N/R seconds.
    let need = !this.started ? 0 : this.options.kind === 'poisson' ? -Math.log(1 - this.options.random()) : 1;
    this.started = true;
    for (;;) {
      const seg = this.segments[this.segment]!;
      const total = seg.durationS === Infinity ? Infinity : seg.a * seg.durationS + (seg.b * seg.durationS * seg.durationS) / 2;
      if (this.usedInSegment + need <= total) {
        const target = this.usedInSegment + need;
        this.usedInSegment = target;
        const s = solve(seg.a, seg.b, target);
        if (!Number.isFinite(s)) return Infinity;
        this.last = seg.startS + s;
        return this.last * 1000;
      }
      if (seg.durationS === Infinity) return Infinity;
      need -= total - this.usedInSegment;
      this.segment++;
      this.usedInSegment = 0;
    }
  }
}

/** Smallest s ≥ 0 with a·s + b·s²/2 = target. */
function solve(a: number, b: number, target: number): number {
  if (b === 0) return a > 0 ? target / a : Infinity;
  const disc = a * a + 2 * b * target;
  return disc < 0 ? Infinity : (-a + Math.sqrt(disc)) / b;
}

/** Parses `0:30s,200:60s` (RATE:DURATION stages; duration in s, ms or m). */
export function parseRamp(text: string): RampStage[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(part);
    if (!match) throw new Error(`ramp stage "${part}" is not RATE:DURATION (e.g. 200:60s)`);
    const unit = match[3] === 'ms' ? 1 : match[3] === 'm' ? 60_000 : 1000;
    return { rate: Number(match[1]), durationMs: Number(match[2]) * unit };
  });
}

