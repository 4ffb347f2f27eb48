/**
 * Runs an engine's tick when something falls due instead of every millisecond. Each tick says
 * when the next one is needed (the next arrival, the next timer in the wheel, the next look at
 * the server or the next progress sample); an event between ticks that makes something due
 * sooner (a timer added, a call ended while arrivals wait for a slot) calls `wakeBy`.
 *
 * Why: a libuv wake-up costs ~40 µs of CPU here, so a 1 ms interval alone took 4 % of a core
 * (an idle 16 s load spent 0.44-0.66 CPU s on it, now 0.10; issue 17), through the arrivals as
 * well as through a hold (issue 20 had the tick sleep 20 ms once arrivals were over; this
 * covers both). At thousands of arrivals a second the ticks stay 1 ms apart, as before.
 */
export class TickScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (ms, the engine's clock); Infinity when none is armed. */
  private armedAt = Infinity;
  private ticking = false;
  private stopped = false;

  /** `tick` runs at `now` and returns when it is next needed (ms, same clock). */
  constructor(
    private readonly now: () => number,
    private readonly tick: (now: number) => number,
    private readonly minDelayMs = 1,
  ) {}

  /** Ticks now, then whenever the ticks ask to be run, until `stop`. */
  start(): void {
    this.run();
  }

  /** Something falls due at `at`: tick by then (nothing if a tick is running, it plans after itself). */
  wakeBy(at: number): void {
    if (this.ticking || this.stopped || at >= this.armedAt) return;
    this.arm(at);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private readonly run = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    this.ticking = true;
    let next: number;
    try {
      next = this.tick(this.now());
    } finally {
      this.ticking = false;
    }
    if (!this.stopped) this.arm(next);
  };

  /** Arms the timer for `at`; for Infinity none (only `wakeBy` runs the next tick). */
  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = at;
    if (at === Infinity) return;
    // Node's timers count whole milliseconds: rounding up never fires before `at`.
    this.timer = setTimeout(this.run, Math.max(this.minDelayMs, Math.ceil(at - this.now())));
  }
}
