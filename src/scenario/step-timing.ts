import type { Clock } from '../util/clock.js';

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clock.clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** `promise`, or an Error saying `message within N s` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock, message: string): Promise<T> {
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = clock.setTimeout(() => reject(new Error(`${message} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}

/** A timer as a function that cancels it. */
export function timerOn(clock: Clock): (fn: () => void, ms: number) => () => void {
  return (fn, ms) => {
    const timer = clock.setTimeout(fn, ms);
    return () => clock.clearTimeout(timer);
  };
}
