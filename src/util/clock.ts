/**
 * Time as the rest of the code sees it, injected so that retransmission timers, golden
 * ladders and captures can be driven by a fake clock in tests.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch, fractional (µs resolution) where available. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

const origin = Date.now() - performance.now();

export const systemClock: Clock = {
  now: () => origin + performance.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // Timers must never keep a finished process alive; whoever waits on them holds the loop.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
