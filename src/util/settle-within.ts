import type { Clock } from './clock.js';

/**
 * Waits for `work` at most `ms`; a failure of it goes to `onError` (it never rejects). Work
 * still pending after `ms` goes on unawaited: a stop must not wait for Timer F behind it.
 */
export async function settleWithin(work: Promise<unknown>, ms: number, clock: Clock, onError: (error: unknown) => void): Promise<void> {
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const grace = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms)));
  await Promise.race([work.catch(onError), grace]);
  if (timer !== undefined) clock.clearTimeout(timer);
}
