import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { decodeHistogram, encodeHistogram, HISTOGRAM_NAMES, newHistogram } from '../../src/load/results/histograms.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import type { MergedResult } from '../../src/load/results/merge-shards.js';
import type { CompletedShard, FailedShard } from '../../src/load/results/shard-result.js';
import { runCli } from '../support/run-cli.js';
import { runSipbots } from './support/spawn-shards.js';

/**
 * The acceptance of scale-out: one bounded load run as one process, then as 3 shard processes
 * started together (like the pods of an Indexed Job), both against ONE embedded proxy on
 * loopback. Same totals; the merged histogram is exactly the histogram of every sample.
 */
const PASSWORD = 'scale-secret';
const accounts = expandAccountPattern('u{0001..0060}@lab.test', PASSWORD);
let server: EmbeddedServer;
let dir: string;
let proxy: string;
let one: LoadResult;
let shards: CompletedShard[];
/** Call-IDs of the INVITEs the proxy received while the shards ran, by the shard port they came from. */
const shardInvites: { callId: string; port: number }[] = [];

const load = (extra: string[]): string[] => [
  'load',
  '--proxy', proxy,
  '--accounts', 'u{0001..0060}@lab.test',
  '--rate', '60',
  '--calls', '150',
  '--hold', '0.2',
  '--timeout', '8',
  ...extra,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipbots-scale-'));
  const events = new EventStream();
  server = await startEmbeddedServer({ transports: ['udp'], users: new Map(accounts.map((a) => [a.user, a.password])), domain: 'lab.test', events });
  const { address, port } = server.endpoints.get('udp')!;
  proxy = `${address}:${port}`;
  const env = { SIPBOTS_PASSWORD: PASSWORD };
  const single = await runSipbots(load(['--json', join(dir, 'one.json')]), env);
  expect(single.stderr).toBe('');
  expect(single.code).toBe(0);
  one = JSON.parse(await readFile(join(dir, 'one.json'), 'utf8')) as LoadResult;
  const unsubscribe = events.subscribe((e) => {
    if (e.type === 'sip' && e.direction === 'in' && e.method === 'INVITE' && e.callId) shardInvites.push({ callId: e.callId, port: e.remote.port });
  });
  const runs = await Promise.all([0, 1, 2].map((i) => runSipbots(load(['--shard', `${i}/3`, '--json', join(dir, `shard-${i}.json`)]), env)));
  for (const run of runs) {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }
  unsubscribe();
  shards = await Promise.all([0, 1, 2].map(async (i) => JSON.parse(await readFile(join(dir, `shard-${i}.json`), 'utf8')) as CompletedShard));
}, 120_000);

afterAll(() => server?.stop());

// Not re-exported by the package's index: its iterator over every recorded value.
const { default: RecordedValuesIterator } = createRequire(import.meta.url)('hdr-histogram-js/dist/RecordedValuesIterator.js') as {
  default: new (histogram: hdr.Histogram) => { hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
};

/** Every recorded (value, count) of an HDR histogram, lowest first: its raw samples, bucket-exact. */
function samplesOf(histogram: hdr.Histogram): [number, number][] {
  const out: [number, number][] = [];
  const iterator = new RecordedValuesIterator(histogram);
  while (iterator.hasNext()) {
    const v = iterator.next();
    out.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
  }
  return out;
}

describe('one load run as 3 shards (3 processes, one embedded proxy)', () => {
  it('each shard ran its own block of accounts, a third of the calls and its own Call-ID prefix', () => {
    expect(shards.map((s) => [s.shard.index, s.shard.accounts.first, s.shard.accounts.last, s.shard.callIdPrefix, s.counters.attempted])).toEqual([
      [0, 'u0001@lab.test', 'u0020@lab.test', 's0-', 50],
      [1, 'u0021@lab.test', 'u0040@lab.test', 's1-', 50],
      [2, 'u0041@lab.test', 'u0060@lab.test', 's2-', 50],
    ]);
    // On the wire: every Call-ID carries its shard's prefix, and no Call-ID came from two shards' sockets.
    const prefixes = new Map<string, Set<string>>();
    for (const { callId, port } of shardInvites) {
      expect(callId).toMatch(/^s[012]-[0-9a-f]{8}-[0-9a-z]+$/);
      prefixes.set(callId.slice(0, 3), (prefixes.get(callId.slice(0, 3)) ?? new Set()).add(callId));
      expect(shardInvites.filter((i) => i.callId === callId && i.port !== port)).toEqual([]);
    }
    expect([...prefixes.entries()].map(([prefix, ids]) => [prefix, ids.size]).sort()).toEqual([
      ['s0-', 50],
      ['s1-', 50],
      ['s2-', 50],
    ]);
    for (const s of shards) {
      expect(s.status).toBe('completed');
      expect(s.settings.rate).toBe(20);
      expect(s.plan).toMatchObject({ shards: 3, rate: 60, calls: 150, accounts: 60 });
      expect(s.timeline.length).toBeGreaterThan(0);
      expect(Date.parse(s.endedAt)).toBeGreaterThan(Date.parse(s.startedAt));
    }
  });

  it('merged: the same totals as the single process, and exit 0 with passing thresholds', async () => {
    // Thresholds fixed by the plan (150 calls, none failed): latencies depend on how busy the machine is.
    const result = await runCli(['merge', ...[0, 1, 2].map((i) => join(dir, `shard-${i}.json`)), '--json', join(dir, 'merged.json'), '--junit', join(dir, 'merged.xml'), '--threshold', 'failed<0.1%', 'succeeded>=150']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('INVITE→200');
    expect(result.stdout).toContain('attempted 150  succeeded 150  failed 0');
    const merged = JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')) as MergedResult;
    const totals = (r: LoadResult) => ({ ...r.counters, active: 0, retransmissions: 0, delayed: 0, stray: 0 });
    // Retransmissions and strays depend on timing; everything else is determined by the plan.
    expect(totals(merged)).toEqual(totals(one));
    expect(merged.counters).toMatchObject({ attempted: 150, succeeded: 150, failed: 0, invites: 300, inviteFinals: 300, answered: 150 });
    for (const name of HISTOGRAM_NAMES) expect(merged.latency[name]!.count, name).toBe(one.latency[name]!.count);
    expect(merged.settings).toMatchObject({ rate: 60, calls: 150 });
    expect(merged.cps).toBeGreaterThan(40);
    // Aligned by wall-clock second: the last point carries every call.
    expect(merged.timeline.at(-1)).toMatchObject({ attempted: 150, succeeded: 150, failed: 0 });
    expect(await readFile(join(dir, 'merged.xml'), 'utf8')).toContain('tests="2" failures="0"');
  });

  it('latency thresholds judge the merged histogram: its own p99 passes, half of it fails and is named', async () => {
    const merged = JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')) as MergedResult;
    const p99 = merged.latency.setup_200!.p99_ms;
    expect(p99).toBeGreaterThan(0);
    const pass = `setup_p99<=${Math.ceil(p99)}ms`;
    const fail = `setup_p99<${Math.floor(p99 / 2)}ms`;
    const result = await runCli(['merge', ...[0, 1, 2].map((i) => join(dir, `shard-${i}.json`)), '--threshold', pass, fail]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`thresholds failed: ${fail} (actual ${p99} ms)`);
    expect(result.stderr).not.toContain(pass);
  });

  it('the merged histogram equals the histogram of every shard sample, bucket for bucket', async () => {
    const merged = JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')) as MergedResult;
    for (const name of HISTOGRAM_NAMES) {
      // Rebuilt the long way: every recorded value of every shard, recorded again.
      const all = newHistogram();
      for (const shard of shards) for (const [value, count] of samplesOf(decodeHistogram(shard.histograms[name]))) all.recordValueWithCount(value, count);
      const m = decodeHistogram(merged.histograms[name]);
      expect(m.totalCount, name).toBe(all.totalCount);
      expect(samplesOf(m), name).toEqual(samplesOf(all));
      for (const p of [0, 10, 50, 90, 99, 99.9, 100]) expect(m.getValueAtPercentile(p), `${name} p${p}`).toBe(all.getValueAtPercentile(p));
      expect(encodeHistogram(m), name).toBe(encodeHistogram(all));
    }
    expect(decodeHistogram(merged.histograms.setup_200).totalCount).toBe(150);
    expect(samplesOf(decodeHistogram(merged.histograms.setup_200)).length).toBeGreaterThan(5);
  });

  it('a shard that fails (wrong password) writes a failed result; merge names it and exits 1', async () => {
    const bad = await runSipbots(load(['--shard', '1/3', '--json', join(dir, 'bad-1.json')]), { SIPBOTS_PASSWORD: 'not-the-password' });
    expect(bad.code).toBe(3);
    const failed = JSON.parse(await readFile(join(dir, 'bad-1.json'), 'utf8')) as FailedShard;
    expect(failed).toMatchObject({ kind: 'sipbots-load-shard', status: 'failed', exitCode: 3, shard: { index: 1, count: 3 } });
    expect(failed.error).toContain('callee registrations failed');
    const result = await runCli(['merge', join(dir, 'shard-0.json'), join(dir, 'bad-1.json'), join(dir, 'shard-2.json'), '--json', join(dir, 'never.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/shard 1\/3 \(.*bad-1\.json\) failed with exit code 3: .*callee registrations failed/);
    expect(result.stdout).toBe('');
    await expect(readFile(join(dir, 'never.json'))).rejects.toThrow(/ENOENT/);
  });

  it('a missing shard, a shard given twice and a file that is no shard result: exit 2, every problem listed', async () => {
    await writeFile(join(dir, 'garbage.json'), '{"hello": 1}');
    const result = await runCli(['merge', join(dir, 'shard-0.json'), join(dir, 'shard-0.json'), join(dir, 'one.json'), join(dir, 'garbage.json'), join(dir, 'absent.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('one.json: not a shard result');
    expect(result.stderr).toContain('whole-run result');
    expect(result.stderr).toContain('garbage.json: not a shard result');
    expect(result.stderr).toContain('absent.json: file not found');
    expect(result.stderr).toContain('shard 0/3 is given 2 times');
    expect(result.stderr).toContain('shards 1/3, 2/3 missing');
  });
});
