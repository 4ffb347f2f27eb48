import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Entry, Timed, TimerWheel } from './timer-wheel.js';

/** One pending timer of a transaction on the engine's wheel. */
class WheelTimer implements Timed {
  generation = 0;
  wheelEntries?: Entry[];
  constructor(private readonly fire: () => void) {}
  onTimer(): void {
    this.fire();
  }
}

/**
 * The engine's timing wheel as a `Clock`, so that the transactions of src/sip/transaction run
 * their Timers A–M on it (one array push each, no libuv timer). Clearing detaches the entry at
 * once (see `TimerWheel.cancel`): a terminated transaction is unreachable from the wheel.
 */
export function wheelClock(wheel: TimerWheel, now: () => number): Clock {
  return {
    now,
    setTimeout: (callback, ms) => {
      const timer = new WheelTimer(callback);
      wheel.schedule(timer, 0, now() + ms);
      return timer as unknown as TimerHandle;
    },
    clearTimeout: (handle) => wheel.cancel(handle as unknown as WheelTimer),
  };
}
