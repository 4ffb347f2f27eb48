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

/** `promise`, or an Error saying `message within N s` after `ms`, or the abort reason of `signal`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock, message: string, signal?: AbortSignal): Promise<T> {
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = clock.setTimeout(() => reject(new Error(`${message} within ${ms / 1000} s`)), ms);
    signal?.addEventListener('abort', () => reject(abortError(signal)), { once: true });
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

/** The reason a case was aborted, as an Error. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('interrupted');
}

/** `promise`, or its abort reason as soon as `signal` aborts (the work itself then winds down on its own). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
