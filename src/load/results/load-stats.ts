import { encodeHistograms, mergeEncoded, newHistogramSet, type EncodedHistograms, type HistogramSet } from './histograms.js';
import type { ServerSilence } from '../engine/server-watch.js';
import { mergeMediaSnapshots, type MediaCounters, type MediaHistograms, type MediaSnapshot, type MediaStats } from './media-stats.js';
import { alignTimelines, type TimelinePoint } from './timeline.js';

/**
 * What one engine (one thread) counts during a run. Plain data so that a worker can post it to
 * the parent, and additive so that merging workers is a sum.
 *
 * "Attempted" is an arrival that started (a call, a registration, an OPTIONS ping); each ends
 * exactly once as succeeded or failed, so when the run is over attempted = succeeded + failed.
 */
export interface LoadCounters {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Calls (or transactions) under way right now. */
  active: number;
  /** Arrivals that had to wait for a free slot under --concurrency (open model, still timed from their schedule). */
  delayed: number;
  /**
   * Calls and requests the server turned away: a final 3xx-6xx to the INVITE (or REGISTER,
   * OPTIONS) before any dialog, e.g. 503 under overload, 486, 403, 404 — not a 401/407 answered
   * with credentials, not the 487 that follows our own CANCEL. Each also ends as failed, unless a
   * scenario file expected that status.
   */
  refused: number;
  /** Initial INVITEs sent (with and without credentials) and the final responses they got. */
  invites: number;
  inviteFinals: number;
  /** Final responses by `METHOD status`, e.g. `INVITE 200`, `INVITE 407`, `BYE 200`. */
  statuses: Record<string, number>;
  /** Requests and responses we sent again after a timer fired (RFC 3261 §17.1.1.2, §17.1.2.2, §13.3.1.4). */
  retransmissions: number;
  /** Transactions that got no final response within --timeout. */
  timeouts: number;
  /** Failures by reason (`INVITE 486`, `timeout INVITE`, `auth rejected REGISTER`, …). */
  failures: Record<string, number>;
  /** Calls answered by our callee bots. */
  answered: number;
  /** Datagrams we could not read, or that matched nothing. */
  unparsable: number;
  stray: number;
  /** Callee registrations refreshed during the run (at about half the lifetime the registrar granted). */
  calleeRefreshes: number;
  /** Callee registration refreshes that failed, by reason (`REGISTER 403`, `timeout REGISTER`). */
  calleeRefreshFailures: Record<string, number>;
  /**
   * Callee REGISTERs the registrar answered 423 Interval Too Brief, each sent again asking for its
   * Min-Expires (RFC 3261 §10.2.8); the retry's own failure, if any, is counted as any other.
   */
  calleeIntervalTooBrief: number;
  /**
   * Callee refreshes refused with a Retry-After (RFC 3261 §20.33, e.g. 503 from an overloaded
   * registrar) whose next try waited as the registrar asked (up to the binding's Expires),
   * longer than the usual retry.
   */
  calleeRetryAfter: number;
}

export function newCounters(): LoadCounters {
  return {
    attempted: 0,
    succeeded: 0,
    failed: 0,
    active: 0,
    delayed: 0,
    refused: 0,
    invites: 0,
    inviteFinals: 0,
    statuses: {},
    retransmissions: 0,
    timeouts: 0,
    failures: {},
    answered: 0,
    unparsable: 0,
    stray: 0,
    calleeRefreshes: 0,
    calleeRefreshFailures: {},
    calleeIntervalTooBrief: 0,
    calleeRetryAfter: 0,
  };
}

export function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

export function addCounters(into: LoadCounters, from: LoadCounters): void {
  for (const key of Object.keys(from) as (keyof LoadCounters)[]) {
    const value = from[key];
    if (typeof value === 'number') (into[key] as number) += value;
    else for (const [k, n] of Object.entries(value)) bump(into[key] as Record<string, number>, k, n);
  }
}

/** One point of the activity timeline, taken once a second. */

/** The live state of one engine: counters plus histograms. */
export class LoadStats {
  readonly counters = newCounters();
  readonly histograms: HistogramSet = newHistogramSet();
  readonly timeline: TimelinePoint[] = [];
  /** `--media rtp` only. */
  media: MediaStats | undefined;
  /** Told each time a call or request ends (the engine then starts a waiting arrival, or finishes). */
  onEnded: (() => void) | undefined;

  succeed(): void {
    this.counters.succeeded++;
    this.counters.active--;
    this.onEnded?.();
  }

  fail(reason: string): void {
    this.counters.failed++;
    this.counters.active--;
    bump(this.counters.failures, reason);
    this.onEnded?.();
  }

  arrivalMs = 0;
  runMs = 0;
  /** Set when the run ended because the server stopped answering. */
  serverStopped: ServerSilence | undefined;
  /** Wall clock (epoch ms) when arrivals started: timeline second t is startedAtMs + t·1000. */
  startedAtMs = 0;

  snapshot(): StatsSnapshot {
    return {
      startedAtMs: this.startedAtMs,
      arrivalMs: this.arrivalMs,
      runMs: this.runMs,
      counters: structuredClone(this.counters),
      histograms: encodeHistograms(this.histograms),
      timeline: this.timeline.slice(),
      ...(this.media ? { media: this.media.snapshot() } : {}),
      ...(this.serverStopped ? { serverStopped: this.serverStopped } : {}),
    };
  }
}

/** Serializable state of one engine (or the merge of several). */
export interface StatsSnapshot {
  /** Wall clock (epoch ms) when arrivals started (absent in snapshots built by hand). */
  startedAtMs?: number;
  /** From the first scheduled arrival to when arrivals stopped, and to when the last call ended. */
  arrivalMs: number;
  runMs: number;
  counters: LoadCounters;
  histograms: EncodedHistograms;
  timeline: TimelinePoint[];
  /** `--media rtp`: verdicts, packet counts and per-direction histograms. */
  media?: MediaSnapshot;
  /** The engine gave up on a server that stopped answering (see ServerWatch). */
  serverStopped?: ServerSilence;
}

/** Merges per-worker snapshots: counters summed, histograms added exactly, timelines summed per second. */
export function mergeSnapshots(snapshots: readonly StatsSnapshot[]): {
  counters: LoadCounters;
  histograms: HistogramSet;
  timeline: TimelinePoint[];
  media?: { counters: MediaCounters; histograms: MediaHistograms };
} {
  const counters = newCounters();
  const histograms = newHistogramSet();
  for (const snapshot of snapshots) {
    addCounters(counters, snapshot.counters);
    mergeEncoded(histograms, snapshot.histograms);
  }
  // Relative seconds (workers of one process start together); a worker that ended a second
  // early still counts with its final totals, and its final sample never counts twice.
  const timeline = alignTimelines(snapshots.map((s) => ({ startMs: 0, timeline: s.timeline })), 0);
  const media = mergeMediaSnapshots(snapshots.map((s) => s.media));
  return { counters, histograms, timeline, ...(media ? { media } : {}) };
}
