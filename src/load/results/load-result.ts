import { encodeHistograms, HISTOGRAM_NAMES, summarize, type EncodedHistograms, type LatencySummary } from './histograms.js';
import type { EngineOptions } from '../engine/load-engine.js';
import { mergeSnapshots, type LoadCounters } from './load-stats.js';
import type { TimelinePoint } from './timeline.js';
import type { LoadRun } from '../engine/run-load.js';
import type { ServerSilence } from '../engine/server-watch.js';
import { evaluateThresholds, type Threshold, type ThresholdVerdict } from './thresholds.js';
import { mediaResult, type MediaResult } from './media-stats.js';

/**
 * The format of what `load --json` and `load --shard --json` write. Raised when a field merge
 * reads is changed or a non-counter field is added (2: media `send_jitter`), so that `merge` can
 * tell a shard written by another sipbots from a damaged file. A new counter does not raise it:
 * merge reads a counter missing from an older shard as 0 (countersSchema in shard-result.ts).
 */
export const LOAD_RESULT_VERSION = 2;

/** The whole outcome of `sipbots load`, as written by --json. */
export interface LoadResult {
  version: typeof LOAD_RESULT_VERSION;
  startedAt: string;
  scenario: EngineOptions['scenario'];
  /** With `--scenario FILE`: the file and its scenario id (`scenario` is then `call`). */
  scenarioFile?: { file: string; id: string };
  transport: EngineOptions['transport'];
  proxy: string;
  /** How a named `--proxy` was located through DNS (RFC 3263), and the target used. */
  proxyLocated?: string;
  workers: number;
  accounts: number;
  settings: { rate: number; arrival: string; calls?: number; durationS?: number; holdS: number; concurrency?: number; sockets: number };
  /** Arrival phase, and until the last call ended, in seconds. */
  arrivalS: number;
  runS: number;
  /** Arrivals started per second of the arrival phase. */
  cps: number;
  counters: LoadCounters;
  latency: Record<string, LatencySummary>;
  /** `--media rtp`: call verdicts, packet counts, loss/jitter/MOS per direction (see media-stats.ts). */
  media?: MediaResult;
  /** HDR histograms (µs), compressed base64 (hdr-histogram-js / HdrHistogram V2 encoding). */
  histograms: EncodedHistograms;
  timeline: TimelinePoint[];
  cpu: { userS: number; systemS: number; perThousandCallsS: number };
  maxRssMb: number;
  thresholds: ThresholdVerdict[];
  /** Thresholds held, and the run was neither interrupted nor cut short by a dead server. */
  passed: boolean;
  /** SIGINT/SIGTERM: arrivals stopped, calls hung up (CANCEL/BYE), callees unregistered. */
  interrupted?: boolean;
  /** The run ended early because the server stopped answering (what was seen, see ServerWatch). */
  serverStopped?: ServerSilence;
}

export function buildLoadResult(options: EngineOptions, run: LoadRun, meta: { startedAt: Date; workers: number; thresholds: readonly Threshold[]; interrupted?: boolean; proxyLocated?: string }): LoadResult {
  const merged = mergeSnapshots(run.snapshots);
  const arrivalS = Math.max(...run.snapshots.map((s) => s.arrivalMs)) / 1000;
  const runS = Math.max(...run.snapshots.map((s) => s.runMs)) / 1000;
  const latency: Record<string, LatencySummary> = {};
  for (const name of HISTOGRAM_NAMES) latency[name] = summarize(merged.histograms[name]);
  const c = merged.counters;
  const cps = arrivalS > 0 ? round(c.attempted / arrivalS) : 0;
  const media = merged.media ? mediaResult(merged.media) : undefined;
  const verdicts = judge(meta.thresholds, latency, c, cps, media);
  const cpuS = run.cpuUserS + run.cpuSystemS;
  const serverStopped = run.snapshots.find((s) => s.serverStopped)?.serverStopped;
  const interrupted = meta.interrupted === true;
  return {
    version: LOAD_RESULT_VERSION,
    startedAt: meta.startedAt.toISOString(),
    scenario: options.scenario,
    ...(options.script ? { scenarioFile: { file: options.script.file, id: options.script.id } } : {}),
    transport: options.transport,
    proxy: `${options.proxy.address}:${options.proxy.port}`,
    ...(meta.proxyLocated !== undefined && { proxyLocated: meta.proxyLocated }),
    workers: meta.workers,
    accounts: options.accounts.length,
    settings: {
      rate: options.rate,
      arrival: options.arrival,
      calls: options.calls,
      durationS: options.durationMs === undefined ? undefined : options.durationMs / 1000,
      holdS: options.holdMs / 1000,
      concurrency: options.concurrency,
      sockets: options.sockets,
    },
    arrivalS: round(arrivalS),
    runS: round(runS),
    cps,
    counters: c,
    latency,
    ...(media ? { media } : {}),
    histograms: encodeHistograms(merged.histograms),
    timeline: merged.timeline,
    cpu: { userS: round(run.cpuUserS), systemS: round(run.cpuSystemS), perThousandCallsS: c.attempted > 0 ? round((cpuS * 1000) / c.attempted, 4) : 0 },
    maxRssMb: run.maxRssMb,
    thresholds: verdicts,
    passed: verdicts.every((v) => v.ok) && !interrupted && !serverStopped,
    ...(interrupted ? { interrupted } : {}),
    ...(serverStopped ? { serverStopped } : {}),
  };
}

/** Thresholds against a whole run (one process, or merged shards). */
export function judge(thresholds: readonly Threshold[], latency: Record<string, LatencySummary>, c: LoadCounters, cps: number, media?: MediaResult): ThresholdVerdict[] {
  return evaluateThresholds(thresholds, {
    latency,
    counts: { failed: c.failed, succeeded: c.succeeded, attempted: c.attempted, timeouts: c.timeouts, retransmissions: c.retransmissions, delayed: c.delayed, refused: c.refused },
    cps,
    ...(media ? { media } : {}),
  });
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
