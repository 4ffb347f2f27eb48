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
 *
 * With `slots` > 1 the 20 ms period is cut into equal sub-periods and each stream joins the
 * least-loaded slot, so 400 streams send as 4 × 100 every 5 ms instead of 400 at once: shorter
 * bursts, less send-time jitter, receive work interleaved. Still one timer.
 *
 * With `sleepPrecisely` the timer is set `finishMs` before each deadline and the remainder is
 * slept with kernel precision (the shared pacer blocks ≤ 1 ms in a futex wait): a Node timer
 * alone fires somewhere in the millisecond after its deadline, which was ±1 ms of send jitter.
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
  /** Sub-periods per interval (see above); default 1. */
  slots?: number;
  /**
   * Called when a stream's tick throws; the pacer keeps driving the others. Without it the
   * first error is rethrown once every stream has been ticked and the next firing scheduled.
   */
  onError?: (error: unknown, stream: PacedStream) => void;
  /**
   * Sub-millisecond precision: the timer is set `finishMs` early and the rest is slept with
   * `sleepPrecisely` (blocking, at most finishMs). Node timers count whole milliseconds of a
   * loop clock cached at the start of each loop iteration, so a timer alone lands anywhere in
   * the millisecond after its deadline, a different place each time: ±1 ms of send jitter
   * before any real work. Without `sleepPrecisely` (tests, fake clocks) the timer alone is used.
   */
  finishMs?: number;
  sleepPrecisely?: (ms: number) => void;
}

interface Registration {
  stream: PacedStream;
  slot: number;
  /** Sub-deadline index this stream was last ticked for (always ≡ slot mod slots). */
  lastIndex: number;
  /** False once unregistered (during a firing it stays in its slot's array until the firing ends). */
  active: boolean;
}

export class Pacer {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly slots: number;
  /** intervalMs / slots: the spacing of the timer's absolute deadlines. */
  private readonly stepMs: number;
  /** Each slot's streams in registration order: a firing walks them by index, no copy, no lookup. */
  private readonly bySlot: Registration[][];
  private readonly onError: ((error: unknown, stream: PacedStream) => void) | undefined;
  private readonly finishMs: number;
  private readonly sleepPrecisely: ((ms: number) => void) | undefined;
  private readonly fireBound = () => this.fire();
  private origin = 0;
  private count = 0;
  /** Index k of the next deadline origin + k·step. */
  private nextIndex = 0;
  private timer: TimerHandle | undefined;
  private stalls = 0;
  /** Inside `fire`: an unregistered stream is only marked, and the slots are compacted at the end. */
  private firing = false;
  private unregisteredWhileFiring = false;

  constructor(options: PacerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? FRAME_MS;
    this.slots = Math.max(1, Math.floor(options.slots ?? 1));
    this.stepMs = this.intervalMs / this.slots;
    this.bySlot = Array.from({ length: this.slots }, () => []);
    this.onError = options.onError;
    this.sleepPrecisely = options.sleepPrecisely;
    this.finishMs = this.sleepPrecisely ? Math.min(Math.max(0, options.finishMs ?? 1), this.stepMs / 2) : 0;
  }

  /** Adds a stream; its first tick comes at its slot's next deadline. Returns the unregister function. */
  register(stream: PacedStream): () => void {
    if (this.count === 0) {
      this.origin = this.clock.now();
      this.nextIndex = 1;
      this.schedule();
    }
    let slot = 0;
    this.bySlot.forEach((streams, i) => {
      if (streams.length < this.bySlot[slot]!.length) slot = i;
    });
    const registration: Registration = { stream, slot, lastIndex: this.latestOfSlot(this.nextIndex - 1, slot), active: true };
    this.bySlot[slot]!.push(registration);
    this.count++;
    return () => {
      if (!registration.active) return;
      registration.active = false;
      if (this.firing) this.unregisteredWhileFiring = true;
      else {
        const streams = this.bySlot[slot]!;
        streams.splice(streams.indexOf(registration), 1);
      }
      this.count--;
      if (this.count === 0) this.stop();
    };
  }

  get size(): number {
    return this.count;
  }

  /** The largest index ≤ k that belongs to `slot`. */
  private latestOfSlot(k: number, slot: number): number {
    return k - ((((k - slot) % this.slots) + this.slots) % this.slots);
  }

  /** How many times a firing found more than one deadline passed. */
  get stallCount(): number {
    return this.stalls;
  }

  private schedule(): void {
    const deadline = this.origin + this.nextIndex * this.stepMs;
    this.timer = this.clock.setTimeout(this.fireBound, Math.max(0, deadline - this.finishMs - this.clock.now()));
  }

  private stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    let now = this.clock.now();
    const early = this.origin + this.nextIndex * this.stepMs - now;
    // Sleep only when someone sends at this sub-deadline (with few calls most slots are empty).
    if (early > 0 && this.sleepPrecisely && this.bySlot[this.nextIndex % this.slots]!.length > 0) {
      // Woken early on purpose (finishMs); a timer that came even earlier is set again.
      if (early > this.finishMs * 1.5) {
        this.schedule();
        return;
      }
      this.sleepPrecisely(early);
      now = this.clock.now();
    }
    // The latest sub-deadline that has passed; any before it were missed during a stall.
    const dueIndex = Math.max(this.nextIndex, Math.floor((now - this.origin) / this.stepMs + 1e-9));
    if (dueIndex > this.nextIndex) this.stalls++;
    let firstError: unknown;
    let failed = false;
    this.firing = true;
    for (let slot = 0; slot < this.slots; slot++) {
      const index = this.latestOfSlot(dueIndex, slot);
      if (index < this.nextIndex) continue; // this slot's deadline is not in the window that just passed
      const deadline = this.origin + index * this.stepMs;
      const streams = this.bySlot[slot]!;
      // Streams registered by a tick are appended and wait for their first deadline (lastIndex).
      for (let i = 0, n = streams.length; i < n; i++) {
        const registration = streams[i]!;
        if (!registration.active || index <= registration.lastIndex) continue;
        const elapsedFrames = (index - registration.lastIndex) / this.slots;
        registration.lastIndex = index;
        try {
          registration.stream.tick({ deadline, now, elapsedFrames });
        } catch (error) {
          if (this.onError) this.onError(error, registration.stream);
          else if (!failed) [failed, firstError] = [true, error];
        }
      }
    }
    this.firing = false;
    if (this.unregisteredWhileFiring) {
      this.unregisteredWhileFiring = false;
      for (let slot = 0; slot < this.slots; slot++) this.bySlot[slot] = this.bySlot[slot]!.filter((r) => r.active);
    }
    this.nextIndex = dueIndex + 1;
    if (this.count > 0 && this.timer === undefined) this.schedule();
    if (failed) throw firstError instanceof Error ? firstError : new Error(String(firstError));
  }
}

let shared: Pacer | undefined;

/** The process-wide pacer on the system clock (4 slots of 5 ms, 1 ms precise finish), created on first use. */
export function sharedPacer(): Pacer {
  shared ??= new Pacer({ slots: 4, finishMs: 1, sleepPrecisely: blockFor });
  return shared;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Sleeps the thread for `ms` with the kernel's timer precision (a futex wait nobody wakes). */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}
