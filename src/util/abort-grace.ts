/** What `settleWithinGrace` saw: the work's outcome, or that the grace after the abort ran out. */
export type GraceOutcome<T> = { settled: true; value: T } | { settled: false };

/**
 * Waits for `work`, but once `signal` is aborted for at most `graceMs` more (counted from the
 * abort, or from now when it already happened). An interrupted run must end within its budget
 * (exit 130 within 5 s) whatever a frozen server leaves pending: a BYE or REGISTER that is never
 * answered keeps its promise open until Timer F, 32 s. The abandoned work still runs; its
 * rejection, if any, goes to `onLateError` instead of surfacing as unhandled.
 * A rejection before the grace ran out rejects the result as `work` would.
 */
export function settleWithinGrace<T>(work: Promise<T>, signal: AbortSignal | undefined, graceMs: number, onLateError: (error: unknown) => void): Promise<GraceOutcome<T>> {
  if (!signal) return work.then((value) => ({ settled: true, value }));
  return new Promise<GraceOutcome<T>>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const startGrace = () => {
      timer = setTimeout(() => {
        done = true;
        resolve({ settled: false });
      }, graceMs);
    };
    if (signal.aborted) startGrace();
    else signal.addEventListener('abort', startGrace, { once: true });
    const finish = () => {
      signal.removeEventListener('abort', startGrace);
      if (timer !== undefined) clearTimeout(timer);
    };
    work.then(
      (value) => {
        finish();
        if (!done) resolve({ settled: true, value });
      },
      (error: unknown) => {
        finish();
        if (done) onLateError(error);
        else reject(error);
      },
    );
  });
}
