import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { TimerWheel, type Timed } from '../../src/load/engine/timer-wheel.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** An owner that carries a rendered request, like a load call or REGISTER does. */
function owner(fired: string[], name: string): Timed & { request: string } {
  return { generation: 0, request: `REGISTER sip:lab.test SIP/2.0\r\n${name.repeat(2000)}`, onTimer: (kind) => fired.push(`${name} ${kind}`) };
}

describe('the load engine timer wheel', () => {
  it('fires timers in order, and a cancelled owner fires nothing', () => {
    const wheel = new TimerWheel(1, 0);
    const fired: string[] = [];
    const a = owner(fired, 'a');
    const b = owner(fired, 'b');
    wheel.schedule(a, 0, 10);
    wheel.schedule(a, 1, 32_000);
    wheel.schedule(b, 0, 20);
    wheel.cancel(b);
    wheel.advance(15);
    expect(fired).toEqual(['a 0']);
    wheel.advance(40_000);
    expect(fired).toEqual(['a 0', 'a 1']);
  });

  it('lets go of a finished owner at once, not when its 32 s timeout would have fallen due', async () => {
    const wheel = new TimerWheel(1, 0);
    let finished: (Timed & { request: string }) | undefined = owner([], 'x');
    const ref = new WeakRef(finished);
    wheel.schedule(finished, 0, 500); // Timer E
    wheel.schedule(finished, 1, 32_000); // Timer F / --timeout
    wheel.advance(100);
    wheel.cancel(finished); // the final response came
    finished = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(ref.deref()).toBeUndefined();
    expect(wheel.size).toBe(0); // its entries left their slots at once: nothing waits for the 32 s slot
  });

  it('a bare callback fires once, and clearing it takes it out of the wheel', () => {
    const wheel = new TimerWheel(1, 0);
    const fired: string[] = [];
    const kept = wheel.scheduleCallback(() => fired.push('kept'), 5);
    const cleared = wheel.scheduleCallback(() => fired.push('cleared'), 5);
    wheel.scheduleCallback(() => fired.push('far'), 10_000); // more than one turn of 4096 slots away
    wheel.clear(cleared);
    expect(wheel.size).toBe(2);
    wheel.advance(6);
    expect(fired).toEqual(['kept']);
    wheel.clear(kept); // already fired: nothing happens
    expect(wheel.size).toBe(1);
    wheel.advance(9_999);
    expect(fired).toEqual(['kept']);
    wheel.advance(10_000);
    expect(fired).toEqual(['kept', 'far']);
    expect(wheel.size).toBe(0);
  });

  it('an entry cancelled by a timer firing in the same slot does not fire, and the slot keeps the others', () => {
    const wheel = new TimerWheel(1, 0);
    const fired: string[] = [];
    const victim = owner(fired, 'victim');
    const later = owner(fired, 'later');
    wheel.scheduleCallback(() => {
      fired.push('first');
      wheel.cancel(victim);
    }, 7);
    wheel.schedule(victim, 0, 7);
    wheel.schedule(later, 0, 7 + 4096); // the same slot, one turn later
    wheel.advance(7);
    expect(fired).toEqual(['first']);
    expect(wheel.size).toBe(1);
    wheel.advance(7 + 4096);
    expect(fired).toEqual(['first', 'later 0']);
    expect(wheel.size).toBe(0);
  });

  it('says when it next has something to fire, no further than asked, and tells of each entry added', () => {
    const wheel = new TimerWheel(1, 0);
    const added: number[] = [];
    wheel.onAdd = (due) => added.push(due);
    expect(wheel.nextDue(250)).toBe(250); // empty: nothing before the horizon
    const timerE = wheel.scheduleCallback(() => undefined, 500.4);
    wheel.scheduleCallback(() => undefined, 32_000);
    expect(added).toEqual([501, 32_000]);
    expect(wheel.nextDue(250)).toBe(250); // Timer E lies beyond the horizon
    expect(wheel.nextDue(10_000)).toBe(501); // due at the start of its tick
    wheel.clear(timerE);
    const owned = owner([], 'cancelled');
    wheel.schedule(owned, 0, 100);
    wheel.cancel(owned);
    expect(wheel.nextDue(250)).toBe(250); // a cancelled owner's entry is not counted
    // 32 s is more than a turn of 4,096 slots away: its slot (3328) comes round first, and is passed over.
    expect(wheel.nextDue(4000)).toBe(4000);
    // No look past one turn: the owner wakes once a turn (4.1 s), and finds it in the last.
    const wakes: number[] = [];
    for (let at = wheel.nextDue(40_000); wakes.push(at) < 10 && at < 32_000; at = wheel.nextDue(40_000)) wheel.advance(at);
    expect(wakes).toEqual([4097, 8194, 12291, 16388, 20485, 24582, 28679, 32_000]);
  });
});
