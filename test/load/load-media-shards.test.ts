import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { encodeHistogram } from '../../src/load/results/histograms.js';
import { addMediaCounters, MEDIA_HISTOGRAM_NAMES, mediaResult, mergeMediaSnapshots, newMediaCounters } from '../../src/load/results/media-stats.js';
import type { MergedResult } from '../../src/load/results/merge-shards.js';
import type { CompletedShard } from '../../src/load/results/shard-result.js';
import { runCli } from '../support/run-cli.js';
import { runSipbots } from '../scale/support/spawn-shards.js';

/**
 * `--media rtp` scaled out: two shard processes against one proxy, each judging its own calls,
 * then `sipbots merge`. The merged media block must be the exact sum of the shards': counters
 * added, every histogram bucket added, the summaries recomputed from the sums.
 */
const PASSWORD = 'media-shard-secret';
let server: EmbeddedServer | undefined;

afterAll(() => server?.stop());

describe('sipbots load --shard I/2 --media rtp, then sipbots merge', () => {
  it('the merged media counters and histograms are exactly the sums of the two shards\'', async () => {
    const accounts = expandAccountPattern('u{001..040}@lab.test', PASSWORD);
    server = await startEmbeddedServer({ transports: ['udp'], users: new Map(accounts.map((a) => [a.user, a.password])), domain: 'lab.test', events: new EventStream() });
    const { address, port } = server.endpoints.get('udp')!;
    const dir = await mkdtemp(join(tmpdir(), 'sipbots-media-shards-'));
    const load = (i: number): string[] => ['load', '--proxy', `${address}:${port}`, '--accounts', 'u{001..040}@lab.test', '--calls', '20', '--rate', '20', '--hold', '1', '--media', 'rtp', '--shard', `${i}/2`, '--json', join(dir, `shard-${i}.json`)];
    const runs = await Promise.all([0, 1].map((i) => runSipbots(load(i), { SIPBOTS_PASSWORD: PASSWORD })));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const shards = await Promise.all([0, 1].map(async (i) => JSON.parse(await readFile(join(dir, `shard-${i}.json`), 'utf8')) as CompletedShard));
    // Each shard ran half the calls, and judged every one of them.
    for (const shard of shards) expect(shard.media!.counters).toMatchObject({ calls: 10, twoWay: 10, streams: 20 });

    const merge = await runCli(['merge', join(dir, 'shard-0.json'), join(dir, 'shard-1.json'), '--json', join(dir, 'merged.json'), '--threshold', 'one_way_audio==0', 'media_calls==20']);
    expect(merge.code, merge.stderr).toBe(0);
    const merged = JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')) as MergedResult;

    const counters = newMediaCounters();
    for (const shard of shards) addMediaCounters(counters, shard.media!.counters);
    expect(merged.media!.counters).toEqual(counters);
    expect(merged.media!.counters).toMatchObject({ calls: 20, twoWay: 20, oneWay: 0, streams: 40 });
    const sum = mergeMediaSnapshots(shards.map((s) => s.media))!;
    for (const name of MEDIA_HISTOGRAM_NAMES) {
      expect(merged.media!.histograms[name], name).toBe(encodeHistogram(sum.histograms[name]));
      expect(merged.media!.summaries[name].count, name).toBe(shards[0]!.media!.summaries[name].count + shards[1]!.media!.summaries[name].count);
    }
    expect(merged.media!.summaries).toEqual(mediaResult(sum).summaries);
    expect(merged.media!.summaries.send_jitter.count).toBe(counters.packetsSent - counters.streams);
    expect(merged.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['one_way_audio==0', true],
      ['media_calls==20', true],
    ]);
  }, 60_000);
});
