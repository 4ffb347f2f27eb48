import { describe, expect, it } from 'vitest';
import { MAX_PROXY_TRANSACTIONS, TransactionTable } from '../../src/proxy/proxy-context.js';
import type { TimerHandle } from '../../src/util/clock.js';

/** A relay stand-in that records whether the table stopped it. */
function relay() {
  const r = { stopped: false, onResponse() {}, cancel() {}, absorbsAck: () => false, stop: () => void (r.stopped = true) };
  return r;
}

/** Timers that never fire on their own; `live` counts the ones not cleared. */
function timers() {
  const live = new Set<number>();
  let next = 0;
  return {
    live,
    set: () => {
      live.add(++next);
      return next as unknown as TimerHandle;
    },
    clear: (handle: TimerHandle) => void live.delete(handle as unknown as number),
  };
}

describe('the proxy transaction table under a flood', () => {
  it('is capped like the UDP layer (20,000)', () => {
    expect(MAX_PROXY_TRANSACTIONS).toBe(20_000);
  });

  it('keeps at most maxEntries relays: the oldest is stopped and forgotten under both its branches', () => {
    const t = timers();
    const table = new TransactionTable(t.set, t.clear, 32_000, 3);
    const relays = [relay(), relay(), relay(), relay()];
    relays.forEach((r, i) => table.add(`z9hG4bKproxy${i}`, r, { branch: `z9hG4bKcaller${i}`, side: r }));
    expect(table.size).toBe(3);
    expect(relays.map((r) => r.stopped)).toEqual([true, false, false, false]);
    expect(table.client('z9hG4bKproxy0')).toBeUndefined();
    expect(table.server('z9hG4bKcaller0')).toBeUndefined();
    expect(table.client('z9hG4bKproxy3')).toBe(relays[3]);
    expect(table.server('z9hG4bKcaller3')).toBe(relays[3]);
  });

  it('a finished relay leaves a newer relay with the same caller branch in place', () => {
    const t = timers();
    const table = new TransactionTable(t.set, t.clear, 32_000, 3);
    const [first, second] = [relay(), relay()];
    table.add('z9hG4bKproxy1', first, { branch: 'z9hG4bKcaller', side: first });
    table.add('z9hG4bKproxy2', second, { branch: 'z9hG4bKcaller', side: second });
    table.remove('z9hG4bKproxy1');
    expect(table.server('z9hG4bKcaller')).toBe(second);
  });

  it('keeps at most maxEntries locally answered branches, clearing the oldest one\'s timer', () => {
    const t = timers();
    const table = new TransactionTable(t.set, t.clear, 32_000, 2);
    for (const branch of ['a', 'b', 'c']) table.answeredLocally(branch);
    expect(['a', 'b', 'c'].map((b) => table.wasAnsweredLocally(b))).toEqual([false, true, true]);
    expect(t.live.size).toBe(2);
    table.clear();
    expect(t.live.size).toBe(0);
  });
});
