import { describe, expect, it } from 'vitest';
import { REFUSED_SILENCE_MS, ServerWatch } from '../../src/load/engine/server-watch.js';

/** When a load run gives up on its server, and when it must not (a slow server is not a dead one). */
const TIMEOUT = 32_000;
const reading = (now: number, more: Partial<{ sendErrors: number; timeouts: number; waiting: number }> = {}) => ({ now, sendErrors: 0, timeouts: 0, waiting: 5, ...more });

describe('ServerWatch', () => {
  it('refused sends and 4·T1 of silence: stopped answering', () => {
    const watch = new ServerWatch('127.0.0.1:5060', TIMEOUT, 0);
    watch.lastHeardAt = 1000;
    expect(watch.check(reading(1100))).toBeUndefined();
    expect(watch.check(reading(1000 + REFUSED_SILENCE_MS - 1, { sendErrors: 7 }))).toBeUndefined();
    const silence = watch.check(reading(1000 + REFUSED_SILENCE_MS, { sendErrors: 9 }));
    expect(silence).toMatchObject({ rule: 'refused', neverAnswered: false, refusedSends: 9, silentMs: REFUSED_SILENCE_MS, waiting: 5 });
    expect(silence!.message).toBe('server 127.0.0.1:5060 stopped answering: nothing received for 2.0 s, 9 sends refused by the network (port unreachable or connection refused), 5 calls or requests were waiting');
  });

  it('errors from before the server last spoke do not count', () => {
    const watch = new ServerWatch('s', TIMEOUT, 0);
    expect(watch.check(reading(100, { sendErrors: 3 }))).toBeUndefined();
    watch.lastHeardAt = 200;
    expect(watch.check(reading(300, { sendErrors: 3 }))).toBeUndefined();
    expect(watch.check(reading(200 + 10 * REFUSED_SILENCE_MS, { sendErrors: 3 }))).toBeUndefined();
  });

  it('a transaction timeout with nothing heard for the whole timeout: never answered', () => {
    const watch = new ServerWatch('s', TIMEOUT, 0);
    expect(watch.check(reading(TIMEOUT - 1, { timeouts: 1 }))).toBeUndefined();
    expect(watch.check(reading(TIMEOUT, { timeouts: 1 }))).toMatchObject({ rule: 'timeout', neverAnswered: true, timeouts: 1 });
  });

  it('an overloaded server that times transactions out but still answers others is not dead', () => {
    const watch = new ServerWatch('s', TIMEOUT, 0);
    for (let t = 0, timeouts = 0; t < 5 * TIMEOUT; t += 250, timeouts += 3) {
      watch.lastHeardAt = t - 100;
      expect(watch.check(reading(t, { timeouts, sendErrors: timeouts }))).toBeUndefined();
    }
  });

  it('a quiet run (calls held, nothing to send) is not a dead server', () => {
    const watch = new ServerWatch('s', TIMEOUT, 0);
    watch.lastHeardAt = 10;
    expect(watch.check(reading(20))).toBeUndefined();
    expect(watch.check(reading(10 * TIMEOUT))).toBeUndefined();
  });
});
