import { isDeepStrictEqual } from 'node:util';
import { encodeHistograms, HISTOGRAM_NAMES, mergeEncoded, newHistogramSet, summarize, type LatencySummary } from './histograms.js';
import { judge, LOAD_RESULT_VERSION, round, type LoadResult } from './load-result.js';
import { addCounters, newCounters } from './load-stats.js';
import type { CompletedShard, ShardFile, ShardPlan } from './shard-result.js';
import type { Threshold } from './thresholds.js';
import { alignTimelines } from './timeline.js';
import { mediaResult, mergeMediaSnapshots } from './media-stats.js';

/** A shard file that was read and passed its schema check. */
export interface ReadShard {
  file: string;
  shard: ShardFile;
}

/** The whole run rebuilt from its shards: a LoadResult (same table, thresholds, JUnit) plus where it came from. */
export type MergedResult = LoadResult & {
  kind: 'sipbots-load-merged';
  endedAt: string;
  timelineStartedAt: string;
  plan: ShardPlan;
  shards: { index: number; file: string; startedAt: string; endedAt: string; attempted: number; failed: number; accounts: string }[];
};

/**
 * Why these files are not one complete run: shards of different sizes or plans, an index
 * missing or given twice, a shard that failed. `incomplete` lists the input-set problems
 * (usage: fix the file list), `failed` the shards that ran and failed.
 */
export function checkShardSet(read: readonly ReadShard[]): { incomplete: string[]; failed: string[] } {
  const incomplete: string[] = [];
  const failed: string[] = [];
  if (read.length === 0) return { incomplete: ['no shard files'], failed };
  const [first] = read;
  const n = first!.shard.shard.count;
  for (const { file, shard } of read) {
    if (shard.shard.count !== n) incomplete.push(`${file}: shard ${shard.shard.index}/${shard.shard.count} is from a ${shard.shard.count}-shard run, ${first!.file} from a ${n}-shard run`);
    else if (!isDeepStrictEqual(shard.plan, first!.shard.plan)) incomplete.push(`${file}: its plan ${JSON.stringify(shard.plan)} differs from ${first!.file}'s ${JSON.stringify(first!.shard.plan)} (shards of different runs?)`);
    if (shard.status === 'failed') failed.push(`shard ${shard.shard.index}/${n} (${file}) failed with exit code ${shard.exitCode}: ${shard.error}`);
    else if (shard.status === 'interrupted') failed.push(`shard ${shard.shard.index}/${n} (${file}) was interrupted before its load ended (exit code ${shard.exitCode})`);
  }
  const byIndex = new Map<number, string[]>();
  for (const { file, shard } of read) byIndex.set(shard.shard.index, [...(byIndex.get(shard.shard.index) ?? []), file]);
  for (const [index, files] of byIndex) if (files.length > 1) incomplete.push(`shard ${index}/${n} is given ${files.length} times: ${files.join(', ')}`);
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) incomplete.push(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing (a ${n}-shard run needs shards 0..${n - 1})`);
  return { incomplete, failed };
}

/**
 * Merges completed shards exactly: counters summed, HDR histograms added bucket by bucket,
 * timelines aligned by wall-clock second, and thresholds applied to the whole. The arrival
 * phase runs from the first shard's first arrival to the last shard's last, so clock skew
 * between shards lowers the merged cps instead of hiding.
 */
export function mergeShards(read: readonly { file: string; shard: CompletedShard }[], thresholds: readonly Threshold[]): MergedResult {
  const shards = [...read].sort((a, b) => a.shard.shard.index - b.shard.shard.index);
  const first = shards[0]!.shard;
  const counters = newCounters();
  const histograms = newHistogramSet();
  for (const { shard } of shards) {
    addCounters(counters, shard.counters);
    mergeEncoded(histograms, shard.histograms);
  }
  const latency: Record<string, LatencySummary> = {};
  for (const name of HISTOGRAM_NAMES) latency[name] = summarize(histograms[name]);
  const starts = shards.map(({ shard }) => Date.parse(shard.timelineStartedAt));
  const t0 = Math.min(...starts);
  const arrivalS = Math.max(...shards.map(({ shard }, k) => starts[k]! + shard.arrivalS * 1000)) / 1000 - t0 / 1000;
  const runS = Math.max(...shards.map(({ shard }, k) => starts[k]! + shard.runS * 1000)) / 1000 - t0 / 1000;
  const cps = arrivalS > 0 ? round(counters.attempted / arrivalS) : 0;
  const mergedMedia = mergeMediaSnapshots(shards.map(({ shard }) => shard.media));
  const media = mergedMedia ? mediaResult(mergedMedia) : undefined;
  const verdicts = judge(thresholds, latency, counters, cps, media);
  const userS = shards.reduce((sum, { shard }) => sum + shard.cpu.userS, 0);
  const systemS = shards.reduce((sum, { shard }) => sum + shard.cpu.systemS, 0);
  const plan = first.plan;
  return {
    version: LOAD_RESULT_VERSION,
    kind: 'sipbots-load-merged',
    startedAt: new Date(Math.min(...shards.map(({ shard }) => Date.parse(shard.startedAt)))).toISOString(),
    endedAt: new Date(Math.max(...shards.map(({ shard }) => Date.parse(shard.endedAt)))).toISOString(),
    timelineStartedAt: new Date(t0).toISOString(),
    scenario: first.scenario,
    transport: first.transport,
    proxy: plan.proxy,
    workers: shards.reduce((sum, { shard }) => sum + shard.workers, 0),
    accounts: shards.reduce((sum, { shard }) => sum + shard.accounts, 0),
    settings: { ...first.settings, rate: plan.rate, calls: plan.calls, durationS: plan.durationS, concurrency: plan.concurrency },
    arrivalS: round(arrivalS),
    runS: round(runS),
    cps,
    counters,
    latency,
    ...(media ? { media } : {}),
    histograms: encodeHistograms(histograms),
    timeline: alignTimelines(shards.map(({ shard }, k) => ({ startMs: starts[k]!, timeline: shard.timeline })), t0),
    cpu: { userS: round(userS), systemS: round(systemS), perThousandCallsS: counters.attempted > 0 ? round(((userS + systemS) * 1000) / counters.attempted, 4) : 0 },
    maxRssMb: Math.max(...shards.map(({ shard }) => shard.maxRssMb)),
    thresholds: verdicts,
    passed: verdicts.every((v) => v.ok),
    plan,
    shards: shards.map(({ file, shard }) => ({
      index: shard.shard.index,
      file,
      startedAt: shard.startedAt,
      endedAt: shard.endedAt,
      attempted: shard.counters.attempted,
      failed: shard.counters.failed,
      accounts: `${shard.shard.accounts.first}..${shard.shard.accounts.last}`,
    })),
  };
}
