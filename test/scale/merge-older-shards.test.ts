import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import type { MergedResult } from '../../src/load/results/merge-shards.js';
import type { CompletedShard } from '../../src/load/results/shard-result.js';
import { runCli } from '../support/run-cli.js';

/**
 * `sipbots merge` given a shard written by an older sipbots, one from before a counter was added
 * (here: before `calleeIntervalTooBrief` and `calleeRefreshes`): the missing counters count as 0
 * and the merge adds up, while a counter of the wrong type is still refused (exit 2).
 * Both shards are real results of `sipbots load --shard I/2` against an embedded proxy.
 */
const PASSWORD = 'older-secret';
const PATTERN = 'u{01..04}@lab.test';
let server: EmbeddedServer;
let dir: string;
let shards: CompletedShard[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipbots-merge-older-'));
  server = await startEmbeddedServer({ transports: ['udp'], users: new Map(expandAccountPattern(PATTERN, PASSWORD).map((a) => [a.user, a.password])), domain: 'lab.test', events: new EventStream() });
  const { address, port } = server.endpoints.get('udp')!;
  for (const i of [0, 1]) {
    const run = await runCli(['load', '--proxy', `${address}:${port}`, '--accounts', PATTERN, '--rate', '20', '--calls', '8', '--hold', '0.1', '--timeout', '5', '--shard', `${i}/2`, '--json', join(dir, `shard-${i}.json`)], {
      env: { PATH: process.env.PATH, SIPBOTS_PASSWORD: PASSWORD },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }
  shards = await Promise.all([0, 1].map(async (i) => JSON.parse(await readFile(join(dir, `shard-${i}.json`), 'utf8')) as CompletedShard));
}, 60_000);

afterAll(() => server?.stop());

/** Shard 0 as the sipbots before those counters would have written it: the keys are not there. */
async function writeOlderShard0(change: (counters: Record<string, unknown>) => void): Promise<string> {
  const older = structuredClone(shards[0]!) as unknown as { counters: Record<string, unknown> };
  change(older.counters);
  const file = join(dir, 'older-0.json');
  await writeFile(file, JSON.stringify(older));
  return file;
}

describe('merge: a shard written before a counter existed', () => {
  it('counters missing from the older shard count as 0: the merged counters are the sums', async () => {
    const older = await writeOlderShard0((c) => {
      delete c.calleeIntervalTooBrief;
      delete c.calleeRefreshes;
    });
    expect(await readFile(older, 'utf8')).not.toContain('calleeIntervalTooBrief');
    const result = await runCli(['merge', older, join(dir, 'shard-1.json'), '--json', join(dir, 'merged.json')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('attempted 8  succeeded 8  failed 0');
    const merged = JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')) as MergedResult;
    const [zero, one] = [shards[0]!.counters, shards[1]!.counters];
    for (const key of ['attempted', 'succeeded', 'failed', 'invites', 'inviteFinals', 'answered', 'retransmissions'] as const) {
      expect(merged.counters[key], key).toBe(zero[key] + one[key]);
    }
    // The older shard had none of these: its share is 0, the total is shard 1's alone.
    expect(merged.counters.calleeIntervalTooBrief).toBe(one.calleeIntervalTooBrief);
    expect(merged.counters.calleeRefreshes).toBe(one.calleeRefreshes);
    expect(Number.isInteger(merged.counters.calleeIntervalTooBrief)).toBe(true);
    expect(merged.counters.statuses['INVITE 200']).toBe(8);
  });

  it('a counter that is there but a string is still a damaged file: exit 2, its path named, nothing merged', async () => {
    const damaged = await writeOlderShard0((c) => {
      delete c.calleeIntervalTooBrief;
      c.calleeRefreshes = '3';
    });
    const result = await runCli(['merge', damaged, join(dir, 'shard-1.json'), '--json', join(dir, 'never.json')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/older-0\.json: counters\.calleeRefreshes: .*expected number, received string/);
    expect(result.stderr).not.toContain('calleeIntervalTooBrief');
    await expect(readFile(join(dir, 'never.json'))).rejects.toThrow(/ENOENT/);
  });
});
