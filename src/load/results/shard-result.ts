import { z } from 'zod';
import { decodeHistogram, HISTOGRAM_NAMES } from './histograms.js';
import type { EngineOptions } from '../engine/load-engine.js';
import { LOAD_RESULT_VERSION, type LoadResult } from './load-result.js';
import { newCounters, type StatsSnapshot } from './load-stats.js';
import { MEDIA_HISTOGRAM_NAMES, newMediaCounters } from './media-stats.js';
import { blockOf, type ShardSpec } from '../plan/shard.js';

/**
 * What `sipbots load --shard I/N --json FILE` writes: the shard's full LoadResult (histograms,
 * counters, per-second timeline) plus who it was (shard, its accounts, its Call-ID prefix),
 * the plan of the whole load it is part of, and wall-clock times so that `sipbots merge` can
 * align the shards' timelines second by second. A shard that could not run writes the same
 * header with `status: "failed"` and the error, so that the merge names it instead of
 * silently adding up fewer calls.
 */
export const SHARD_RESULT_KIND = 'sipbots-load-shard';

export type ShardStatus = 'completed' | 'failed' | 'interrupted';

/** The whole load every shard of one run shares; merge refuses shards of different plans. */
export interface ShardPlan {
  shards: number;
  scenario: string;
  transport: string;
  proxy: string;
  accounts: number;
  rate: number;
  arrival: string;
  calls?: number;
  durationS?: number;
  holdS: number;
  concurrency?: number;
}

export interface ShardHeader {
  version: typeof LOAD_RESULT_VERSION;
  kind: typeof SHARD_RESULT_KIND;
  status: ShardStatus;
  shard: { index: number; count: number; accounts: { first: string; last: string; count: number }; callIdPrefix: string };
  plan: ShardPlan;
  startedAt: string;
  endedAt: string;
  /** The shard's exit code (0 when it completed). */
  exitCode: number;
}

export type CompletedShard = ShardHeader & LoadResult & { status: 'completed' | 'interrupted'; timelineStartedAt: string };
export type FailedShard = ShardHeader & { status: 'failed'; error: string };
export type ShardFile = CompletedShard | FailedShard;

export function shardHeader(whole: EngineOptions, mine: EngineOptions, shard: ShardSpec, times: { startedAt: Date; endedAt: Date }, status: ShardStatus, exitCode: number): ShardHeader {
  const { start, size } = blockOf(whole.accounts.length, shard);
  const name = (k: number): string => `${whole.accounts[k]!.user}@${whole.accounts[k]!.domain}`;
  return {
    version: LOAD_RESULT_VERSION,
    kind: SHARD_RESULT_KIND,
    status,
    shard: { index: shard.index, count: shard.count, accounts: { first: name(start), last: name(start + size - 1), count: size }, callIdPrefix: mine.idPrefix ?? '' },
    plan: {
      shards: shard.count,
      scenario: whole.scenario,
      transport: whole.transport,
      proxy: `${whole.proxy.address}:${whole.proxy.port}`,
      accounts: whole.accounts.length,
      rate: whole.rate,
      arrival: whole.arrival,
      calls: whole.calls,
      durationS: whole.durationMs === undefined ? undefined : whole.durationMs / 1000,
      holdS: whole.holdMs / 1000,
      concurrency: whole.concurrency,
    },
    startedAt: times.startedAt.toISOString(),
    endedAt: times.endedAt.toISOString(),
    exitCode,
  };
}

/** Wall clock of the shard's timeline second 0: the earliest of its workers' arrival starts. */
export function timelineStart(snapshots: readonly StatsSnapshot[], fallback: Date): string {
  const starts = snapshots.map((s) => s.startedAtMs ?? 0).filter((ms) => ms > 0);
  return new Date(starts.length > 0 ? Math.min(...starts) : fallback.getTime()).toISOString();
}

// ---- reading shard files back: every problem, with its JSON path ----

const count = z.number().int().nonnegative();
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO date');
const tally = z.record(z.string(), count);
const histogram = z.string().refine((text) => {
  try {
    decodeHistogram(text);
    return true;
  } catch {
    return false;
  }
}, 'not an encoded HDR histogram (compressed base64)');

/**
 * The counters of a result, built from the template of the sipbots that reads it (newCounters(),
 * newMediaCounters()). A counter absent from the file reads as 0 (a tally by status or reason as
 * empty): a shard written by a sipbots from before that counter was added counted none of it,
 * and merging it with newer shards must still add up. A counter that is there with the wrong
 * type is still a problem.
 */
function countersSchema<T extends object>(template: T): z.ZodType<T> {
  const entries = Object.entries(template) as [string, unknown][];
  return z.object(
    Object.fromEntries(entries.map(([key, value]) => [key, typeof value === 'number' ? (key === 'active' ? z.number().int() : count).default(0) : tally.default({})])),
  ) as unknown as z.ZodType<T>;
}

const header = {
  version: z.literal(LOAD_RESULT_VERSION),
  kind: z.literal(SHARD_RESULT_KIND),
  shard: z.object({
    index: count,
    count: z.number().int().positive(),
    accounts: z.object({ first: z.string(), last: z.string(), count }),
    callIdPrefix: z.string(),
  }),
  plan: z.object({
    shards: z.number().int().positive(),
    scenario: z.string(),
    transport: z.string(),
    proxy: z.string(),
    accounts: count,
    rate: z.number().nonnegative(),
    arrival: z.string(),
    calls: count.optional(),
    durationS: z.number().positive().optional(),
    holdS: z.number().nonnegative(),
    concurrency: count.optional(),
  }),
  startedAt: isoDate,
  endedAt: isoDate,
  exitCode: z.number().int(),
};

/** `--media rtp` shards: what merging adds up (the summaries are recomputed from the histograms). */
const media = z.object({
  counters: countersSchema(newMediaCounters()),
  histograms: z.object(Object.fromEntries(MEDIA_HISTOGRAM_NAMES.map((name) => [name, histogram]))),
});

const completed = z.object({
  ...header,
  status: z.enum(['completed', 'interrupted']),
  timelineStartedAt: isoDate,
  workers: z.number().int().positive(),
  accounts: count,
  arrivalS: z.number().nonnegative(),
  runS: z.number().nonnegative(),
  counters: countersSchema(newCounters()),
  histograms: z.object(Object.fromEntries(HISTOGRAM_NAMES.map((name) => [name, histogram]))),
  timeline: z.array(z.object({ t: z.number().int().nonnegative(), active: z.number().int(), attempted: count, succeeded: count, failed: count })),
  cpu: z.object({ userS: z.number().nonnegative(), systemS: z.number().nonnegative() }),
  maxRssMb: z.number().nonnegative(),
  media: media.optional(),
});

const failed = z.object({ ...header, status: z.literal('failed'), error: z.string() });

const shardFileSchema = z.discriminatedUnion('status', [completed, failed]);

/** Checks one file's text; every problem as `path: what`. */
export function parseShardFile(text: string): { shard: ShardFile } | { problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problems: [`not JSON (${(error as Error).message})`] };
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind !== SHARD_RESULT_KIND) {
    const hint = json !== null && typeof json === 'object' && 'counters' in json ? ' (a whole-run result: shard results come from sipbots load --shard I/N --json FILE)' : '';
    return { problems: [`not a shard result: kind is ${JSON.stringify(kind)}, expected "${SHARD_RESULT_KIND}"${hint}`] };
  }
  const version = (json as { version?: unknown }).version;
  if (version !== LOAD_RESULT_VERSION) {
    return { problems: [`written by another sipbots: result format ${JSON.stringify(version)}, and this sipbots merges format ${LOAD_RESULT_VERSION} (run every shard and the merge with the same sipbots)`] };
  }
  const parsed = shardFileSchema.safeParse(json);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`) };
  // The schema checked what merging reads; the rest of the LoadResult travels along untouched,
  // except the counters, which come from the schema with the ones the file lacks filled in.
  if (parsed.data.status === 'failed') return { shard: json as ShardFile };
  const { counters, media } = parsed.data;
  const shard = json as CompletedShard;
  return { shard: { ...shard, counters, ...(media && shard.media ? { media: { ...shard.media, counters: media.counters } } : {}) } };
}

/** The shard's full result, as --json writes it. */
export function completedShard(
  result: LoadResult,
  plan: { whole: EngineOptions; engine: EngineOptions; shard: ShardSpec },
  snapshots: readonly StatsSnapshot[],
  times: { startedAt: Date; endedAt: Date },
  interrupted: boolean,
  exitCode: number,
): CompletedShard {
  const head = shardHeader(plan.whole, plan.engine, plan.shard, times, interrupted ? 'interrupted' : 'completed', exitCode);
  return { ...result, ...head, status: interrupted ? 'interrupted' : 'completed', timelineStartedAt: timelineStart(snapshots, times.startedAt) };
}

export function failedShard(plan: { whole: EngineOptions; engine: EngineOptions; shard: ShardSpec }, times: { startedAt: Date; endedAt: Date }, error: Error, exitCode: number): FailedShard {
  return { ...shardHeader(plan.whole, plan.engine, plan.shard, times, 'failed', exitCode), status: 'failed', error: error.message };
}
