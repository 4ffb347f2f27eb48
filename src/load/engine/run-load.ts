import { Worker } from 'node:worker_threads';
import { decodeHistogram, type LatencyHistogram } from '../results/histograms.js';
import { LoadEngine, LoadSetupError, type EngineOptions } from './load-engine.js';
import { addCounters, newCounters, type LoadCounters, type StatsSnapshot } from '../results/load-stats.js';
import { WireTap, type WireBatch } from './wire-tap.js';
import { mediaShare } from '../media/load-media.js';
import { addMediaCounters, newMediaCounters, type MediaCounters } from '../results/media-stats.js';

export type WorkerMessage =
  /** `setup`: the encoded INVITE→200 histogram, when the parent asked for samples. */
  | { type: 'progress'; counters: LoadCounters; elapsedMs: number; setup?: string; media?: MediaCounters }
  | { type: 'wire'; batch: WireBatch }
  | { type: 'done'; snapshot: StatsSnapshot }
  | { type: 'error'; message: string; setup: boolean };

/** What a worker thread gets: its share of the load, and which outputs want its data. */
export interface WorkerInput {
  options: EngineOptions;
  index: number;
  /** Post batches of wire records (--capture). */
  capture: boolean;
  /** Put the INVITE→200 histogram in each progress message (--metrics-port). */
  samples: boolean;
}

/** One engine's state for live metrics. In-thread these are the live objects; from a worker, its last report. */
export interface EngineSample {
  counters: LoadCounters;
  setup: LatencyHistogram;
  media?: MediaCounters;
}

export interface LoadProgress {
  elapsedMs: number;
  counters: LoadCounters;
  /** INVITE→200 percentiles so far (single-threaded runs only; workers report counts). */
  setupP50Ms?: number;
  setupP99Ms?: number;
  /** `--media rtp`: call verdicts and packets so far. */
  media?: MediaCounters;
}

export interface RunLoadHooks {
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
  /** --capture: every message any engine sent or received, in batches (`source`: worker index, 0 in-thread). */
  onWire?: (batch: WireBatch, source: number) => void;
  /** --metrics-port: each engine's counters and setup histogram, once a second. */
  onEngineSample?: (source: number, sample: EngineSample) => void;
}

export interface LoadRun {
  snapshots: StatsSnapshot[];
  /** CPU seconds of this process (every thread) during the run, and its peak RSS. */
  cpuUserS: number;
  cpuSystemS: number;
  maxRssMb: number;
  wallMs: number;
}

/**
 * Runs the load in this thread (`workers` 1) or in N worker threads, each with every N-th
 * account (callers call callees of their own share, registered on their own socket), 1/N of
 * the rate, calls and concurrency. Per-worker snapshots come back whole; merging is the
 * caller's (exact for histograms).
 */
export async function runLoad(options: EngineOptions, workers: number, hooks: RunLoadHooks = {}): Promise<LoadRun> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const snapshots = workers <= 1 ? [await runInThread(options, hooks)] : await runInWorkers(options, workers, hooks);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    snapshots,
    cpuUserS: cpu.user / 1e6,
    cpuSystemS: cpu.system / 1e6,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    wallMs: performance.now() - started,
  };
}

async function runInThread(options: EngineOptions, hooks: RunLoadHooks): Promise<StatsSnapshot> {
  const { onWire, onEngineSample } = hooks;
  const tap = onWire ? new WireTap((batch) => onWire(batch, 0)) : undefined;
  const engine = new LoadEngine(options, {
    signal: hooks.signal,
    tap,
    onProgress: (p) => {
      onEngineSample?.(0, { counters: p.counters, setup: p.histograms.setup_200, ...(p.media ? { media: p.media } : {}) });
      hooks.onProgress?.({ elapsedMs: p.elapsedMs, counters: p.counters, setupP50Ms: p.setup.p50_ms, setupP99Ms: p.setup.p99_ms, ...(p.media ? { media: p.media } : {}) });
    },
  });
  try {
    return await engine.run();
  } finally {
    tap?.flush();
  }
}

/** Every n-th account, 1/n of rate, calls and concurrency (remainders to the first workers). */
export function shareFor(options: EngineOptions, index: number, count: number): EngineOptions {
  const part = (total: number | undefined): number | undefined => (total === undefined ? undefined : Math.floor(total / count) + (index < total % count ? 1 : 0));
  return {
    ...options,
    accounts: options.accounts.filter((_, k) => k % count === index),
    rate: options.rate / count,
    ramp: options.ramp?.map((stage) => ({ ...stage, rate: stage.rate / count })),
    calls: part(options.calls),
    concurrency: options.concurrency === undefined ? undefined : Math.max(1, part(options.concurrency)!),
    seed: options.seed === undefined ? undefined : options.seed + index,
    ...(options.media ? { media: mediaShare(options.media, index, count) } : {}),
  };
}

async function runInWorkers(options: EngineOptions, count: number, hooks: RunLoadHooks): Promise<StatsSnapshot[]> {
  // Built, both are .js. Under tsx this module is .ts, but a Node 20 worker thread does not
  // get tsx's loader, so tests that use --workers run the built CLI (dist/).
  const entry = new URL(import.meta.url.endsWith('.ts') ? './load-worker.ts' : './load-worker.js', import.meta.url);
  const latest: (LoadCounters | undefined)[] = new Array(count).fill(undefined);
  const latestMedia: (MediaCounters | undefined)[] = new Array(count).fill(undefined);
  let elapsedMs = 0;
  const input = (index: number): WorkerInput => ({ options: shareFor(options, index, count), index, capture: hooks.onWire !== undefined, samples: hooks.onEngineSample !== undefined });
  const workers = Array.from({ length: count }, (_, i) => new Worker(entry, { workerData: input(i) }));
  const stopAll = (): void => workers.forEach((w) => w.postMessage({ type: 'stop' }));
  hooks.signal?.addEventListener('abort', stopAll, { once: true });
  let reported = 0;
  const results = workers.map(
    (worker, i) =>
      new Promise<StatsSnapshot>((resolve, reject) => {
        let settled = false;
        worker.on('message', (message: WorkerMessage) => {
          if (message.type === 'wire') hooks.onWire?.(message.batch, i);
          else if (message.type === 'progress') {
            latest[i] = message.counters;
            latestMedia[i] = message.media;
            if (message.setup !== undefined) hooks.onEngineSample?.(i, { counters: message.counters, setup: decodeHistogram(message.setup), ...(message.media ? { media: message.media } : {}) });
            elapsedMs = Math.max(elapsedMs, message.elapsedMs);
            // One merged line per round of worker reports.
            if (++reported % count === 0) {
              const counters = newCounters();
              for (const c of latest) if (c) addCounters(counters, c);
              let media: MediaCounters | undefined;
              for (const m of latestMedia) if (m) addMediaCounters((media ??= newMediaCounters()), m);
              hooks.onProgress?.({ elapsedMs, counters, ...(media ? { media } : {}) });
            }
          } else if (message.type === 'done') {
            settled = true;
            resolve(message.snapshot);
          } else {
            settled = true;
            stopAll();
            reject(message.setup ? new LoadSetupError(`worker ${i}: ${message.message}`, {}) : new Error(`load worker ${i}: ${message.message}`));
          }
        });
        worker.on('error', (error) => {
          settled = true;
          stopAll();
          reject(error);
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new Error(`load worker ${i} exited with code ${code} before reporting`));
        });
      }),
  );
  try {
    // When one worker fails the others are stopped; wait for them all, so that their last wire
    // records reach the capture and no thread outlives the run, then report the first failure.
    const settled = await Promise.allSettled(results);
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<StatsSnapshot>).value);
  } finally {
    hooks.signal?.removeEventListener('abort', stopAll);
  }
}
