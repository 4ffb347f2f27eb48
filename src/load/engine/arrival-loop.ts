import { ArrivalSchedule, type ArrivalKind, type RampStage } from './arrivals.js';
import type { EngineContext } from './load-context.js';
import { summarize, type HistogramSet, type LatencySummary } from '../results/histograms.js';
import type { LoadCounters } from '../results/load-stats.js';
import type { MediaCounters } from '../results/media-stats.js';
import { TickScheduler } from './tick-scheduler.js';

export interface EngineProgress {
  elapsedMs: number;
  counters: LoadCounters;
  setup: LatencySummary;
  /** The live histograms (for --metrics-port); read, never modify. */
  histograms: HistogramSet;
  /** `--media rtp`: verdicts and packet counts so far. */
  media?: MediaCounters;
}

/** When arrivals come and how long calls last: the part of EngineOptions the loop reads. */
export interface ArrivalPlan {
  rate: number;
  arrival: ArrivalKind;
  ramp?: RampStage[];
  /** At most this many calls or requests under way; an arrival beyond it waits for a slot. */
  concurrency?: number;
  calls?: number;
  durationMs?: number;
  holdMs: number;
  timeoutMs: number;
}

/** The plan, plus what the engine decides. */
export interface ArrivalLoopOptions extends ArrivalPlan {
  /** A scenario file's caller actions: how long they add to a call beyond --hold. */
  spanMs?: number;
  /** Once interrupted, hang-ups get this long before the calls still up are counted failed. */
  graceMs: number;
  random: () => number;
}

/** What the loop asks of its engine. */
export interface ArrivalLoopHost {
  ctx: EngineContext;
  signal?: AbortSignal;
  onProgress?: (progress: EngineProgress) => void;
  /** Starts the `index`-th arrival, scheduled for `scheduledAt` (counted attempted and active). */
  startArrival(index: number, scheduledAt: number): void;
  /** A look at the server when one is due (see ServerWatch). */
  watchServer(now: number): void;
  /** When the next look at the server is due. */
  nextWatchAt(): number;
  /** The server was found to have stopped answering. */
  serverStopped(): boolean;
  /** Interrupted: every call ends now (CANCEL or BYE). */
  hangUpAll(now: number): void;
  /** Calls counted as failed while still under way: none of their timers may fire again. */
  abandonAll(): void;
}

/**
 * The arrival phase of one engine, from the first arrival to the last call drained: one tick
 * (see TickScheduler) advances the timer wheel, looks at the server, starts the arrivals that
 * are due while the concurrency cap leaves a slot (an arrival beyond it waits, counted
 * `delayed` once, and a call's end wakes the tick), samples progress once a second, and ends
 * when arrivals are over and every call has ended, or the drain deadline passed, or the server
 * stopped answering, or an interruption's hang-ups had their grace.
 */
export class ArrivalLoop {
  private readonly schedule: ArrivalSchedule;
  private readonly limit: number;
  private readonly concurrency: number;
  private start = 0;
  private endAt = Infinity;
  private nextAt = Infinity;
  private nextSample = Infinity;
  private started = 0;
  private arrivalsOver = false;
  private waitingForSlot = false;
  private drainDeadline = Infinity;
  private hungUp = false;
  private ticker: TickScheduler | undefined;
  private resolve: (() => void) | undefined;

  constructor(
    private readonly options: ArrivalLoopOptions,
    private readonly host: ArrivalLoopHost,
  ) {
    this.schedule = new ArrivalSchedule({ rate: options.rate, ramp: options.ramp, kind: options.arrival, random: options.random });
    this.limit = options.calls ?? Infinity;
    this.concurrency = options.concurrency ?? Infinity;
  }

  /** Runs the arrivals to the end and drains them; resolves once the run is over. */
  run(): Promise<void> {
    const { ctx } = this.host;
    const start = (this.start = ctx.now());
    ctx.stats.startedAtMs = Date.now();
    const durationMs = this.options.durationMs ?? (this.options.ramp ? this.schedule.rampMs : Infinity);
    this.endAt = start + durationMs;
    this.nextAt = start + this.schedule.next();
    this.nextSample = start + 1000;

    return new Promise((resolve) => {
      this.resolve = resolve;
      const ticker = (this.ticker = new TickScheduler(ctx.now, this.tick));
      ctx.wheel.onAdd = (due) => ticker.wakeBy(due);
      // A call that ends between ticks frees a slot, or was the last one of the drain.
      ctx.stats.onEnded = () => {
        if (this.waitingForSlot || (this.arrivalsOver && ctx.stats.counters.active === 0)) this.wakeNow();
      };
      this.host.signal?.addEventListener('abort', this.wakeNow, { once: true });
      ticker.start();
    });
  }

  private readonly wakeNow = (): void => this.ticker?.wakeBy(-Infinity);

  private readonly tick = (now: number): number => {
    const { ctx } = this.host;
    const counters = ctx.stats.counters;
    ctx.wheel.advance(now);
    this.host.watchServer(now);
    if (this.host.signal?.aborted && !this.hungUp) {
      this.hungUp = true;
      if (!this.arrivalsOver) this.stopArrivals(now);
      this.host.hangUpAll(now);
      this.drainDeadline = Math.min(this.drainDeadline, now + this.options.graceMs);
    }
    if (this.host.serverStopped() && !this.arrivalsOver) this.stopArrivals(now);
    while (!this.arrivalsOver && this.nextAt <= now) {
      if (this.started >= this.limit || this.nextAt > this.endAt) {
        this.stopArrivals(now, Infinity);
        break;
      }
      if (counters.active >= this.concurrency) {
        if (!this.waitingForSlot) counters.delayed++;
        this.waitingForSlot = true;
        break;
      }
      this.waitingForSlot = false;
      this.host.startArrival(this.started++, this.nextAt);
      this.nextAt = this.start + this.schedule.next();
    }
    if (!this.arrivalsOver && (this.started >= this.limit || this.nextAt === Infinity || this.nextAt > this.endAt) && this.nextAt > now) this.stopArrivals(now, Infinity);
    if (now >= this.nextSample) {
      this.nextSample += 1000;
      this.sample(now);
    }
    if (this.arrivalsOver && (counters.active === 0 || now > this.drainDeadline || this.host.serverStopped())) {
      if (counters.active > 0) {
        const reason = this.host.serverStopped() ? 'server stopped answering' : this.hungUp ? 'interrupted: hang-up not answered' : 'unfinished at end of run';
        counters.failed += counters.active;
        counters.failures[reason] = (counters.failures[reason] ?? 0) + counters.active;
        counters.active = 0;
        this.host.abandonAll();
      }
      this.finish();
    }
    // Next: the next arrival (unless waiting for a slot: a call's end wakes us), timer,
    // look at the server, progress sample or drain deadline.
    const due = Math.min(!this.arrivalsOver && !this.waitingForSlot ? this.nextAt : Infinity, this.nextSample, this.host.nextWatchAt(), this.drainDeadline);
    return ctx.wheel.nextDue(due);
  };

  private stopArrivals(now: number, phaseEnd = now): void {
    this.arrivalsOver = true;
    // The arrival phase ends where the next arrival would have been (N arrivals at R/s: N/R s).
    this.host.ctx.stats.arrivalMs = Math.max(1, Math.min(phaseEnd, this.nextAt, this.endAt) - this.start);
    // Whatever is still under way after hold + two transaction timeouts will never end.
    this.drainDeadline = now + this.options.holdMs + (this.options.spanMs ?? 0) + 2 * this.options.timeoutMs + 1000;
  }

  private finish(): void {
    const { ctx } = this.host;
    this.ticker?.stop();
    ctx.wheel.onAdd = ctx.stats.onEnded = undefined;
    this.host.signal?.removeEventListener('abort', this.wakeNow);
    ctx.stats.runMs = ctx.now() - this.start;
    this.sample(ctx.now());
    this.resolve?.();
  }

  private sample(now: number): void {
    const { stats } = this.host.ctx;
    const c = stats.counters;
    stats.timeline.push({ t: Math.round((now - this.start) / 1000), active: c.active, attempted: c.attempted, succeeded: c.succeeded, failed: c.failed });
    this.host.onProgress?.({ elapsedMs: now - this.start, counters: c, setup: summarize(stats.histograms.setup_200), histograms: stats.histograms, ...(stats.media ? { media: stats.media.counters } : {}) });
  }
}
