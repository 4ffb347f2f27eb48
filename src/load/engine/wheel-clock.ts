import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Entry, TimerWheel } from './timer-wheel.js';

/**
 * The engine's timing wheel as a `Clock`, so that the transactions of src/sip/transaction run
 * their Timers A–M on it (one wheel entry each, no libuv timer). The entry is the handle:
 * clearing takes it out of the wheel at once (see `TimerWheel.clear`), so a terminated
 * transaction is unreachable from the wheel.
 */
export function wheelClock(wheel: TimerWheel, now: () => number): Clock {
  return {
    now,
    setTimeout: (callback, ms) => wheel.scheduleCallback(callback, now() + ms) as unknown as TimerHandle,
    clearTimeout: (handle) => wheel.clear(handle as unknown as Entry),
  };
}
