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

  it('says whether anything falls due within the next ticks, a turn away or cancelled not counted', () => {
    const wheel = new TimerWheel(1, 0);
    const a = owner([], 'a');
    wheel.schedule(a, 0, 4096 + 3); // same slot as tick 3, one turn later
    expect(wheel.dueWithin(5)).toBe(false);
    const b = owner([], 'b');
    wheel.schedule(b, 0, 5);
    expect(wheel.dueWithin(4)).toBe(false);
    expect(wheel.dueWithin(5)).toBe(true);
    wheel.cancel(b);
    expect(wheel.dueWithin(5)).toBe(false);
  });

  it('a sleeping owner is woken once by an entry due before it would look again, not by a later one', () => {
    const wheel = new TimerWheel(1, 0);
    let woken = 0;
    wheel.sleep(5, () => woken++);
    wheel.schedule(owner([], 'late'), 0, 500);
    expect(woken).toBe(0);
    wheel.schedule(owner([], 'soon'), 0, 2);
    wheel.scheduleCallback(() => undefined, 3);
    expect(woken).toBe(1);
    // Advancing ends the sleep: what is scheduled afterwards wakes nobody.
    wheel.sleep(10, () => woken++);
    wheel.advance(6);
    wheel.schedule(owner([], 'after'), 0, 7);
    expect(woken).toBe(1);
  });
});
