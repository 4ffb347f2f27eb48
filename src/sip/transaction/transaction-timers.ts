import type { Clock, TimerHandle } from '../../util/clock.js';

/** The timers a transaction can run; at most one of each is pending at a time. */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

/**
 * The timers of one transaction, owned by it: starting a timer replaces the pending one of the
 * same name, and `cancelAll()` (called when the transaction terminates) clears every pending
 * one at once, so a finished transaction leaves nothing behind in the clock.
 */
export class TransactionTimers {
  private readonly pending = new Map<TimerName, TimerHandle>();

  constructor(private readonly clock: Clock) {}

  start(name: TimerName, ms: number, fire: () => void): void {
    this.cancel(name);
    this.pending.set(
      name,
      this.clock.setTimeout(() => {
        this.pending.delete(name);
        fire();
      }, ms),
    );
  }

  cancel(name: TimerName): void {
    const handle = this.pending.get(name);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.pending.delete(name);
  }

  cancelAll(): void {
    for (const handle of this.pending.values()) this.clock.clearTimeout(handle);
    this.pending.clear();
  }

  /** Names of the pending timers, for tests and diagnostics. */
  names(): TimerName[] {
    return [...this.pending.keys()].sort();
  }
}
