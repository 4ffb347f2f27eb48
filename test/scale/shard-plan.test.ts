import { describe, expect, it } from 'vitest';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import type { EngineOptions } from '../../src/load/engine/load-engine.js';
import { encodeHistograms, newHistogramSet } from '../../src/load/results/histograms.js';
import { mergeSnapshots, newCounters } from '../../src/load/results/load-stats.js';
import { alignTimelines } from '../../src/load/results/timeline.js';
import { parseShard, shardOptions } from '../../src/load/plan/shard.js';
import { runCli } from '../support/run-cli.js';

const whole: EngineOptions = {
  scenario: 'call',
  transport: 'udp',
  proxy: { address: '127.0.0.1', port: 5060 },
  bindAddress: '127.0.0.1',
  domain: 'lab.test',
  accounts: expandAccountPattern('u{0001..0061}@lab.test', 'x'),
  rate: 100,
  ramp: [{ rate: 300, durationMs: 10_000 }],
  arrival: 'poisson',
  calls: 1001,
  concurrency: 10,
  holdMs: 0,
  timeoutMs: 1000,
  registerExpires: 60,
  sockets: 1,
  seed: 7,
};

describe('--shard I/N', () => {
  it('counts shards from 0, like JOB_COMPLETION_INDEX', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '-1/3', '1/0', 'a/b', '1', '1/3/4', '']) expect(parseShard(bad), bad).toHaveProperty('problem');
  });

  it('splits accounts into disjoint contiguous blocks, calls and concurrency with remainders to the first shards, rate evenly', () => {
    const shards = [0, 1, 2].map((index) => shardOptions(whole, { index, count: 3 }));
    expect(shards.map((s) => s.accounts.length)).toEqual([21, 20, 20]);
    expect(shards.flatMap((s) => s.accounts.map((a) => a.user))).toEqual(whole.accounts.map((a) => a.user));
    expect(shards.map((s) => [s.accounts[0]!.user, s.accounts.at(-1)!.user])).toEqual([
      ['u0001', 'u0021'],
      ['u0022', 'u0041'],
      ['u0042', 'u0061'],
    ]);
    expect(shards.map((s) => s.calls)).toEqual([334, 334, 333]);
    expect(shards.map((s) => s.concurrency)).toEqual([4, 3, 3]);
    expect(shards.reduce((sum, s) => sum + s.rate, 0)).toBeCloseTo(100);
    expect(shards.map((s) => s.ramp![0]!.rate)).toEqual([100, 100, 100]);
    expect(shards.map((s) => s.idPrefix)).toEqual(['s0-', 's1-', 's2-']);
    expect(new Set(shards.map((s) => s.seed)).size).toBe(3);
    // The whole plan is left as it was.
    expect(whole.accounts).toHaveLength(61);
    expect(whole.calls).toBe(1001);
  });

  it('bad shards, thresholds on a shard and too few accounts or calls: exit 2 with every problem', async () => {
    const base = ['load', '--proxy', '127.0.0.1:5060', '--password', 'x', '--rate', '10'];
    const bad = await runCli([...base, '--accounts', 'u{1..9}@lab.test', '--calls', '9', '--shard', '3/3', '--threshold', 'bogus<1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard 3/3: expected I/N with 0 ≤ I < N');
    expect(bad.stderr).toContain('unknown metric bogus');
    const split = await runCli([...base, '--accounts', 'u{1..2}@lab.test', '--calls', '2', '--shard', '0/3', '--threshold', 'failed<1%']);
    expect(split.code).toBe(2);
    expect(split.stderr).toContain('2 accounts cannot be split between 3 shards');
    expect(split.stderr).toContain('--calls 2 gives some of the 3 shards no call');
    expect(split.stderr).toContain('give them to sipbots merge');
  });

  it('--proxy takes a host name (a Service in Kubernetes or compose) and says when it does not resolve', async () => {
    const result = await runCli(['load', '--proxy', 'no-such-host.invalid:5060', '--accounts', 'u{1..2}@lab.test', '--password', 'x', '--rate', '1', '--calls', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--proxy no-such-host.invalid:5060: cannot resolve no-such-host.invalid');
  });
});

describe('merging per-second timelines by wall-clock second', () => {
  it('adds running totals second by second; a shard without a sample in a second counts with its last one', () => {
    const t0 = Date.parse('2025-01-01T00:00:00.200Z');
    const merged = alignTimelines(
      [
        { startMs: t0, timeline: [1, 2, 3].map((t) => ({ t, active: 2, attempted: 10 * t, succeeded: 10 * t - 2, failed: 0 })) },
        // Started 1.5 s later on another machine: its sample t=1 falls in the first shard's second 2.
        { startMs: t0 + 1500, timeline: [{ t: 1, active: 1, attempted: 5, succeeded: 4, failed: 0 }] },
      ],
      t0,
    );
    expect(merged).toEqual([
      { t: 1, active: 2, attempted: 10, succeeded: 8, failed: 0 },
      { t: 2, active: 3, attempted: 25, succeeded: 22, failed: 0 },
      { t: 3, active: 3, attempted: 35, succeeded: 32, failed: 0 },
    ]);
  });

  it('two samples of one shard in the same wall second: the later running total counts, once', () => {
    const merged = alignTimelines([{ startMs: 0, timeline: [{ t: 1, active: 3, attempted: 5, succeeded: 2, failed: 0 }, { t: 1, active: 0, attempted: 5, succeeded: 5, failed: 0 }] }], 0);
    expect(merged).toEqual([{ t: 1, active: 0, attempted: 5, succeeded: 5, failed: 0 }]);
  });

  it('workers of one process: a final sample in the same second is not added twice, and an early finisher still counts', () => {
    const histograms = encodeHistograms(newHistogramSet());
    const worker = (timeline: { t: number; attempted: number }[]) => ({ arrivalMs: 1, runMs: 1, counters: newCounters(), histograms, timeline: timeline.map((p) => ({ active: 0, succeeded: p.attempted, failed: 0, ...p })) });
    const { timeline } = mergeSnapshots([worker([{ t: 1, attempted: 5 }, { t: 2, attempted: 9 }, { t: 2, attempted: 10 }]), worker([{ t: 1, attempted: 4 }])]);
    expect(timeline.map((p) => [p.t, p.attempted])).toEqual([
      [1, 9],
      [2, 14],
    ]);
  });
});
