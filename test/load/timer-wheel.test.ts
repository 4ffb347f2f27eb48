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
    expect(wheel.size).toBe(2); // two detached entries wait for their slot; they hold no owner
  });
});
