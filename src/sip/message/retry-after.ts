/**
 * Retry-After (RFC 3261 §20.33): how long the server asked the client to wait before sending
 * the request again. Grammar (§25.1): `delta-seconds [ comment ] *( SEMI retry-param )`, e.g.
 * `Retry-After: 18000;duration=3600` or `Retry-After: 120 (I'm in a meeting)`. It means that on
 * a 500 or 503 (the service is back after that long, §21.5.1, §21.5.4) and on 404, 413, 480,
 * 486, 600 and 603 (the callee, or the resource, is available again then); on any other status
 * it says nothing.
 */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([404, 413, 480, 486, 500, 503, 600, 603]);

/**
 * The seconds a response's Retry-After asks for (`value` is the header's text, as received), or
 * undefined: no header, a status it means nothing on, or no delta-seconds at its start. Liberal
 * in what follows the number (a comment, parameters, stray text).
 */
export function retryAfterSeconds(status: number, value: string | undefined): number | undefined {
  if (value === undefined || !RETRY_AFTER_STATUSES.has(status)) return undefined;
  const seconds = /^\s*(\d{1,9})(?![\d.])/.exec(value)?.[1];
  return seconds === undefined ? undefined : Number(seconds);
}

/** How long a client waits when the server asked for `askedS` seconds: at most `capS` (e.g. the binding's lifetime). */
export interface RetryAfterWait {
  askedS: number;
  waitMs: number;
  /** The server asked for more than `capS`; the wait is `capS`. */
  capped: boolean;
}

export function retryAfterWait(askedS: number, capS: number): RetryAfterWait {
  const capped = askedS > capS;
  return { askedS, waitMs: Math.min(askedS, capS) * 1000, capped };
}

/** What a finding says of the wait, e.g. `waiting 2 s as its Retry-After asked (RFC 3261 §20.33)`. */
export function describeRetryAfterWait(wait: RetryAfterWait, capWhat: string): string {
  const asked = `Retry-After: ${wait.askedS}`;
  return wait.capped
    ? `waiting ${wait.waitMs / 1000} s: the server asked for ${wait.askedS} s (${asked}, RFC 3261 §20.33), capped at ${capWhat}`
    : `waiting ${wait.waitMs / 1000} s as the server asked (${asked}, RFC 3261 §20.33)`;
}
