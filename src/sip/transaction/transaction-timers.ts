import type { Clock, TimerHandle } from '../../util/clock.js';

/** The timers a transaction can run; at most one of each is pending at a time. */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

/**
 * The timers of one transaction, owned by it: starting a timer replaces the pending one of the
 * same name, and `cancelAll()` (called when the transaction terminates) clears every pending
 * one at once, so a finished transaction leaves nothing behind in the clock.
 *
 * A transaction has two or three timers pending at most, and a load engine holds thousands of
 * transactions: they are kept as one flat `[name, handle, name, handle…]` array, not a Map.
 * An empty list is replaced by a two-element literal, not pushed into: V8 gives an array that
 * grows by push room for 16 more elements (~150 bytes), and a lingering transaction (Timer D or
 * M, 32 s on UDP) would carry that for one timer.
 */
export class TransactionTimers {
  private pending: (TimerName | TimerHandle)[] = [];

  constructor(private readonly clock: Clock) {}

  start(name: TimerName, ms: number, fire: () => void): void {
    this.cancel(name);
    const handle = this.clock.setTimeout(() => {
      this.forget(name);
      fire();
    }, ms);
    if (this.pending.length === 0) this.pending = [name, handle];
    else this.pending.push(name, handle);
  }

  cancel(name: TimerName): void {
    const at = this.pending.indexOf(name);
    if (at < 0) return;
    this.clock.clearTimeout(this.pending[at + 1] as TimerHandle);
    this.pending.splice(at, 2);
  }

  cancelAll(): void {
    for (let i = 1; i < this.pending.length; i += 2) this.clock.clearTimeout(this.pending[i] as TimerHandle);
    this.pending.length = 0;
  }

  /** Names of the pending timers, for tests and diagnostics. */
  names(): TimerName[] {
    return (this.pending.filter((_, i) => i % 2 === 0) as TimerName[]).sort();
  }

  private forget(name: TimerName): void {
    const at = this.pending.indexOf(name);
    if (at >= 0) this.pending.splice(at, 2);
  }
}
