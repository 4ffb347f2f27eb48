import { describe, expect, it } from 'vitest';
import { decodeHistogram, encodeHistogram, encodeHistograms, meanOf, newHistogramSet, recordMs } from '../../src/load/results/histograms.js';
import { mergeSnapshots, newCounters, type StatsSnapshot } from '../../src/load/results/load-stats.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { shareFor } from '../../src/load/engine/run-load.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';

function snapshotOf(samples: number[], attempted: number): StatsSnapshot {
  const set = newHistogramSet();
  for (const ms of samples) recordMs(set.setup_200, ms);
  return { arrivalMs: 1000, runMs: 1000, counters: { ...newCounters(), attempted, succeeded: attempted }, histograms: encodeHistograms(set), timeline: [{ t: 1, active: 2, attempted, succeeded: attempted, failed: 0 }] };
}

describe('merging worker results', () => {
  it('two workers merged equal one histogram of all samples (every bucket, every percentile)', () => {
    const random = seededRandom(7);
    // Latencies spread over five decades, heavy tail, like a loaded proxy.
    const samples = Array.from({ length: 20_000 }, () => 0.05 * Math.exp(random() * 11));
    const half = samples.length / 2;
    const merged = mergeSnapshots([snapshotOf(samples.slice(0, half), half), snapshotOf(samples.slice(half), half)]);
    const whole = newHistogramSet().setup_200;
    for (const ms of samples) recordMs(whole, ms);
    const m = merged.histograms.setup_200;
    expect(m.totalCount).toBe(whole.totalCount);
    for (const p of [1, 10, 50, 90, 99, 99.9, 99.99, 100]) expect(m.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p));
    // Min and max travel as bucket values in the encoding: compare with the whole sent the same way.
    const wholeSent = decodeHistogram(encodeHistogram(whole));
    expect(m.maxValue).toBe(wholeSent.maxValue);
    expect(m.minNonZeroValue).toBe(wholeSent.minNonZeroValue);
    expect(m.mean).toBe(wholeSent.mean);
    // The summary's own mean (one loop over the counts) is the library's, to the last bit.
    expect(meanOf(m)).toBe(m.mean);
    expect(meanOf(whole)).toBe(whole.mean);
    // Bucket for bucket: the same bytes once encoded.
    expect(encodeHistogram(m)).toBe(encodeHistogram(wholeSent));
    expect(merged.counters.attempted).toBe(samples.length);
    expect(merged.timeline).toEqual([{ t: 1, active: 4, attempted: samples.length, succeeded: samples.length, failed: 0 }]);
  });

  it('a latency past the first minute grows the histogram: kept exactly, merged exactly, clamped at 1 hour', () => {
    // Histograms start sized for a minute (issue 17): a 90 s BYE or a 2 h stall must still count.
    const early = [2, 35, 480];
    const late = [90_000, 40 * 60_000, 2 * 3_600_000];
    const merged = mergeSnapshots([snapshotOf(early, early.length), snapshotOf(late, late.length)]).histograms.setup_200;
    const whole = newHistogramSet().setup_200;
    for (const ms of [...early, ...late]) recordMs(whole, ms);
    expect(merged.totalCount).toBe(6);
    for (const p of [10, 50, 60, 75, 90, 100]) expect(merged.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p));
    const wholeSent = decodeHistogram(encodeHistogram(whole));
    expect([merged.minNonZeroValue, merged.maxValue, merged.mean]).toEqual([wholeSent.minNonZeroValue, wholeSent.maxValue, wholeSent.mean]);
    // 90 s within 0.1 %; 2 h clamped to the 1 h ceiling.
    expect(Math.abs(whole.getValueAtPercentile(60) - 90_000_000)).toBeLessThan(90_000);
    expect(Math.abs(whole.maxValue - 3_600_000_000)).toBeLessThan(3_600_000);
  });

  it('splits accounts, calls, rate and concurrency between workers without losing any', () => {
    const accounts = expandAccountPattern('u{0001..0007}@lab.test', 'x');
    const options = { scenario: 'call', transport: 'udp', proxy: { address: '127.0.0.1', port: 5060 }, bindAddress: '127.0.0.1', domain: 'lab.test', accounts, rate: 300, arrival: 'constant', calls: 1001, concurrency: 10, holdMs: 0, timeoutMs: 1000, registerExpires: 60, sockets: 1 } as const;
    const shares = [0, 1, 2].map((i) => shareFor({ ...options, accounts: [...accounts] }, i, 3));
    expect(shares.flatMap((s) => s.accounts.map((a) => a.user)).sort()).toEqual(accounts.map((a) => a.user));
    expect(shares.reduce((n, s) => n + s.calls!, 0)).toBe(1001);
    expect(shares.reduce((n, s) => n + s.concurrency!, 0)).toBe(10);
    expect(shares.reduce((n, s) => n + s.rate, 0)).toBeCloseTo(300);
  });
});
