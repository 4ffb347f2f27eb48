import { describe, expect, it } from 'vitest';
import { describeRetryAfterWait, retryAfterSeconds, retryAfterWait } from '../../src/sip/message/retry-after.js';

/** Retry-After as received (RFC 3261 §20.33, §25.1): what a client reads of it. */
describe('Retry-After', () => {
  it('delta-seconds, with a comment or parameters after it, on a 503 and the other statuses §20.33 names', () => {
    expect(retryAfterSeconds(503, '2')).toBe(2);
    expect(retryAfterSeconds(503, ' 18000;duration=3600')).toBe(18000);
    expect(retryAfterSeconds(486, '120 (I\'m in a meeting)')).toBe(120);
    expect([404, 413, 480, 500, 600, 603].map((status) => retryAfterSeconds(status, '5'))).toEqual([5, 5, 5, 5, 5, 5]);
  });

  it('nothing for no header, a status it means nothing on, or no delta-seconds first', () => {
    expect(retryAfterSeconds(503, undefined)).toBeUndefined();
    expect(retryAfterSeconds(401, '5')).toBeUndefined();
    expect(retryAfterSeconds(200, '5')).toBeUndefined();
    expect(retryAfterSeconds(503, 'Sat, 05 Dec 2026 12:00:00 GMT')).toBeUndefined();
    expect(retryAfterSeconds(503, '1.5')).toBeUndefined();
    expect(retryAfterSeconds(503, '-3')).toBeUndefined();
  });

  it('the wait is what was asked, up to the cap, and the finding says which', () => {
    expect(retryAfterWait(2, 60)).toEqual({ askedS: 2, waitMs: 2000, capped: false });
    const capped = retryAfterWait(3600, 60);
    expect(capped).toEqual({ askedS: 3600, waitMs: 60_000, capped: true });
    expect(describeRetryAfterWait(capped, "the binding's expiry (60 s)")).toBe("waiting 60 s: the server asked for 3600 s (Retry-After: 3600, RFC 3261 §20.33), capped at the binding's expiry (60 s)");
  });
});
