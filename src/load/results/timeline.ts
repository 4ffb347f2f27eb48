/** One per-second sample of a run's counters. */
export interface TimelinePoint {
  /** Seconds since the load started. */
  t: number;
  active: number;
  attempted: number;
  succeeded: number;
  failed: number;
}

/**
 * Sums per-second samples taken by different threads (startMs 0: relative seconds) or
 * machines (startMs: each shard's wall clock). A point t lies in second ⌊(start + t·1000)/1000⌋;
 * attempted/succeeded/failed are running totals and active a level, so a series with no
 * sample in some second counts with its last one (nothing before it started), and of two
 * samples in one second (a run's final sample next to its last periodic one) the later
 * counts, once. Merged t counts from t0Ms.
 */
export function alignTimelines(series: readonly { startMs: number; timeline: readonly TimelinePoint[] }[], t0Ms: number): TimelinePoint[] {
  const bySecond = series.map(({ startMs, timeline }) => {
    const points = new Map<number, TimelinePoint>();
    for (const point of timeline) points.set(Math.floor((startMs + point.t * 1000) / 1000), point);
    return points;
  });
  const seconds = [...new Set(bySecond.flatMap((points) => [...points.keys()]))].sort((a, b) => a - b);
  const last: (TimelinePoint | undefined)[] = series.map(() => undefined);
  const base = Math.floor(t0Ms / 1000);
  return seconds.map((second) => {
    const sum: TimelinePoint = { t: second - base, active: 0, attempted: 0, succeeded: 0, failed: 0 };
    bySecond.forEach((points, k) => {
      const point = points.get(second) ?? last[k];
      if (!point) return;
      last[k] = point;
      sum.active += point.active;
      sum.attempted += point.attempted;
      sum.succeeded += point.succeeded;
      sum.failed += point.failed;
    });
    return sum;
  });
}
