import type { EngineOptions } from '../engine/load-engine.js';

/**
 * One shard of a load spread over N processes (Kubernetes Indexed Job pods, compose
 * containers). Shards are numbered from 0, like `JOB_COMPLETION_INDEX`, so a pod passes
 * `--shard $(JOB_COMPLETION_INDEX)/N` without arithmetic.
 *
 * Shard I of N takes a contiguous block of the accounts (callers call callees of their own
 * block, registered by that shard), floor(calls/N) calls plus one for the first calls%N
 * shards (concurrency likewise), rate/N (ramp stages too), and Call-IDs prefixed `sI-` so
 * no two shards share a Call-ID space whatever their random prefixes.
 */
export interface ShardSpec {
  /** 0 ≤ index < count. */
  index: number;
  count: number;
}

export const MAX_SHARDS = 10_000;

/** Parses `I/N`; a problem (text for the usage error) otherwise. */
export function parseShard(text: string): ShardSpec | { problem: string } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const problem = { problem: `--shard ${text}: expected I/N with 0 ≤ I < N ≤ ${MAX_SHARDS} (shards count from 0, like JOB_COMPLETION_INDEX), e.g. --shard 0/3` };
  if (!match) return problem;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS || index >= count) return problem;
  return { index, count };
}

/** `part(total)` for this shard: the even split, remainders to the first shards. */
export function shareOf(total: number, shard: ShardSpec): number {
  return Math.floor(total / shard.count) + (shard.index < total % shard.count ? 1 : 0);
}

/** First index and length of this shard's contiguous block of `length` items. */
export function blockOf(length: number, shard: ShardSpec): { start: number; size: number } {
  const base = Math.floor(length / shard.count);
  const extra = length % shard.count;
  return { start: shard.index * base + Math.min(shard.index, extra), size: shareOf(length, shard) };
}

/** What a shard can never run with, given the whole plan (every problem, for the usage error). */
export function shardProblems(options: EngineOptions, workers: number, shard: ShardSpec): string[] {
  const problems: string[] = [];
  const label = `--shard ${shard.index}/${shard.count}`;
  if (options.accounts.length < shard.count) problems.push(`${label}: ${options.accounts.length} accounts cannot be split between ${shard.count} shards (no two shards may share an account)`);
  else if (blockOf(options.accounts.length, shard).size < workers) problems.push(`${label}: this shard gets ${blockOf(options.accounts.length, shard).size} accounts, fewer than --workers ${workers}`);
  if (options.calls !== undefined && options.calls < shard.count) problems.push(`${label}: --calls ${options.calls} gives some of the ${shard.count} shards no call; give at least ${shard.count}`);
  return problems;
}

/** The engine options of one shard (the whole plan's options are left as they were). */
export function shardOptions(options: EngineOptions, shard: ShardSpec): EngineOptions {
  const { start, size } = blockOf(options.accounts.length, shard);
  return {
    ...options,
    accounts: options.accounts.slice(start, start + size),
    rate: options.rate / shard.count,
    ramp: options.ramp?.map((stage) => ({ ...stage, rate: stage.rate / shard.count })),
    calls: options.calls === undefined ? undefined : shareOf(options.calls, shard),
    concurrency: options.concurrency === undefined ? undefined : Math.max(1, shareOf(options.concurrency, shard)),
    // Far apart, so that shard seeds never meet the per-worker seeds (seed + worker) of another shard.
    seed: options.seed === undefined ? undefined : options.seed + 1000 * shard.index,
    idPrefix: `s${shard.index}-`,
  };
}
