/**
 * One scheduler for every RTP sender in the process. A timer per call would mean thousands of
 * timers drifting independently; here a single timer fires on absolute deadlines
 * (origin + k·20 ms), so lateness in one firing never accumulates into the next.
 *
 *   deadline:   0    20    40    60    80   100   120
 *   fires:      |     |     |     .stall.    |     |
 *   ticks:      1     1     1               3     1      (elapsedFrames passed to streams)
 *
 * After a stall (event loop blocked, GC pause) the pacer does not replay the missed deadlines
 * as a burst: each stream gets ONE tick whose `elapsedFrames` says how many 20 ms frames passed,
 * so it sends a single packet with the next sequence number and a timestamp advanced by the
 * whole elapsed duration, as a real sender whose audio clock kept running would.
 */

import { systemClock, type Clock, type TimerHandle } from '../util/clock.js';
import { FRAME_MS } from './tone.js';

export interface PacedTick {
  /** Deadline this tick was scheduled for (clock ms). */
  deadline: number;
  /** Clock time the tick actually ran. */
  now: number;
  /** Frames elapsed since this stream's previous tick: 1 normally, more after a stall. */
  elapsedFrames: number;
}

export interface PacedStream {
  tick(tick: PacedTick): void;
}

export interface PacerOptions {
  clock?: Clock;
  intervalMs?: number;
  /**
   * Called when a stream's tick throws; the pacer keeps driving the others. Without it the
   * first error is rethrown once every stream has been ticked and the next firing scheduled.
   */
  onError?: (error: unknown, stream: PacedStream) => void;
}

interface Registration {
  stream: PacedStream;
  /** Index of the last deadline this stream was ticked for. */
  lastIndex: number;
}

export class Pacer {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly onError: ((error: unknown, stream: PacedStream) => void) | undefined;
  private readonly streams = new Set<Registration>();
  private origin = 0;
  /** Index k of the next deadline origin + k·interval. */
  private nextIndex = 0;
  private timer: TimerHandle | undefined;
  private stalls = 0;

  constructor(options: PacerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? FRAME_MS;
    this.onError = options.onError;
  }

  /** Adds a stream; its first tick comes at the next deadline. Returns the unregister function. */
  register(stream: PacedStream): () => void {
    if (this.streams.size === 0) {
      this.origin = this.clock.now();
      this.nextIndex = 1;
      this.schedule();
    }
    const registration: Registration = { stream, lastIndex: this.nextIndex - 1 };
    this.streams.add(registration);
    return () => {
      this.streams.delete(registration);
      if (this.streams.size === 0) this.stop();
    };
  }

  get size(): number {
    return this.streams.size;
  }

  /** How many times a firing found more than one deadline passed. */
  get stallCount(): number {
    return this.stalls;
  }

  private schedule(): void {
    const deadline = this.origin + this.nextIndex * this.intervalMs;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, deadline - this.clock.now()));
  }

  private stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    // The latest deadline that has passed; any before it were missed during a stall.
    const dueIndex = Math.max(this.nextIndex, Math.floor((now - this.origin) / this.intervalMs + 1e-9));
    if (dueIndex > this.nextIndex) this.stalls++;
    const deadline = this.origin + dueIndex * this.intervalMs;
    let firstError: unknown;
    let failed = false;
    for (const registration of [...this.streams]) {
      if (!this.streams.has(registration)) continue;
      const elapsedFrames = dueIndex - registration.lastIndex;
      registration.lastIndex = dueIndex;
      try {
        registration.stream.tick({ deadline, now, elapsedFrames });
      } catch (error) {
        if (this.onError) this.onError(error, registration.stream);
        else if (!failed) [failed, firstError] = [true, error];
      }
    }
    this.nextIndex = dueIndex + 1;
    if (this.streams.size > 0 && this.timer === undefined) this.schedule();
    if (failed) throw firstError instanceof Error ? firstError : new Error(String(firstError));
  }
}

let shared: Pacer | undefined;

/** The process-wide pacer on the system clock, created on first use. */
export function sharedPacer(): Pacer {
  shared ??= new Pacer();
  return shared;
}
