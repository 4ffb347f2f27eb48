import { describe, expect, it } from 'vitest';
import { Pacer, type PacedTick } from '../../src/media/pacer.js';
import type { Clock, TimerHandle } from '../../src/util/clock.js';
import { FakeClock } from '../../src/util/fake-clock.js';

/** An event loop that can be blocked: timers due during the block run when it ends, late. */
class BlockableLoop implements Clock {
  private t = 0;
  private id = 0;
  private timers: { id: number; at: number; cb: () => void }[] = [];
  now(): number {
    return this.t;
  }
  setTimeout(cb: () => void, ms: number): TimerHandle {
    this.timers.push({ id: ++this.id, at: this.t + ms, cb });
    return this.id as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((x) => x.id !== (handle as unknown as number));
  }
  /** Runs until `until`; nothing fires before `blockedUntil`. */
  run(until: number, blockedUntil = 0): void {
    for (;;) {
      const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(due.at, blockedUntil, this.t);
      due.cb();
    }
    this.t = Math.max(this.t, until);
  }
}

describe('shared pacer', () => {
  it('drives many streams from one timer on absolute 20 ms deadlines', () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ clock });
    const ticks: PacedTick[][] = [[], [], []];
    ticks.forEach((list) => pacer.register({ tick: (t) => list.push(t) }));
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(200);
    for (const list of ticks) {
      expect(list.map((t) => t.deadline)).toEqual([20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
      expect(list.every((t) => t.elapsedFrames === 1)).toBe(true);
    }
    expect(clock.pendingTimers()).toBe(1);
  });

  it('after a stall sends one tick per stream, reporting the skipped frames (no burst)', () => {
    const loop = new BlockableLoop();
    const pacer = new Pacer({ clock: loop });
    const seen: PacedTick[] = [];
    pacer.register({ tick: (t) => seen.push(t) });
    loop.run(40); // deadlines 20 and 40 on time
    loop.run(145, 145); // the loop is blocked 40..145: deadlines 60..140 missed
    expect(seen.map((t) => t.elapsedFrames)).toEqual([1, 1, 5]);
    expect(seen[2]?.deadline).toBe(140);
    expect(seen[2]?.now).toBe(145);
    loop.run(160);
    expect(seen.map((t) => t.deadline)).toEqual([20, 40, 140, 160]);
    expect(seen[3]?.elapsedFrames).toBe(1);
    expect(pacer.stallCount).toBe(1);
  });

  it('a late firing within one interval does not skip or drift', () => {
    const loop = new BlockableLoop();
    const pacer = new Pacer({ clock: loop });
    const seen: PacedTick[] = [];
    pacer.register({ tick: (t) => seen.push(t) });
    loop.run(37, 37); // deadline 20 fires 17 ms late
    loop.run(40); // the next deadline is still 40, not 57
    expect(seen.map((t) => [t.deadline, t.now, t.elapsedFrames])).toEqual([
      [20, 37, 1],
      [40, 40, 1],
    ]);
  });

  it('stops its timer when the last stream leaves, and a throwing stream does not stop the others', () => {
    const clock = new FakeClock(0);
    const errors: unknown[] = [];
    const pacer = new Pacer({ clock, onError: (e) => errors.push(e) });
    let good = 0;
    const offBad = pacer.register({
      tick: () => {
        throw new Error('boom');
      },
    });
    const offGood = pacer.register({ tick: () => good++ });
    clock.advance(60);
    expect(good).toBe(3);
    expect(errors).toHaveLength(3);
    offBad();
    offGood();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a tick that unregisters streams (itself, one before it, one after it) or registers one: the rest keep their deadlines', () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ clock });
    const ticks = new Map<string, number[]>();
    const stream = (name: string, onTick?: () => void) => ({
      tick: (t: PacedTick) => {
        ticks.set(name, [...(ticks.get(name) ?? []), t.deadline]);
        onTick?.();
      },
    });
    const offs = new Map<string, () => void>();
    for (const name of ['a', 'b']) offs.set(name, pacer.register(stream(name)));
    offs.set(
      'c',
      pacer.register(
        stream('c', () => {
          if (clock.now() !== 40) return;
          offs.get('a')!(); // already ticked in this firing
          offs.get('d')!(); // not yet ticked in this firing: it is not
          offs.get('c')!();
          offs.set('e', pacer.register(stream('e')));
        }),
      ),
    );
    for (const name of ['d', 'f']) offs.set(name, pacer.register(stream(name)));
    clock.advance(80);
    expect(Object.fromEntries(ticks)).toEqual({ a: [20, 40], b: [20, 40, 60, 80], c: [20, 40], d: [20], e: [60, 80], f: [20, 40, 60, 80] });
    expect(pacer.size).toBe(3);
    for (const name of ['b', 'e', 'f']) offs.get(name)!();
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('shared pacer with slots', () => {
  it('spreads streams over sub-periods, each still every 20 ms, with one timer', () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ clock, slots: 4 });
    const seen: [number, number][] = [];
    for (let i = 0; i < 8; i++) pacer.register({ tick: (t) => seen.push([i, t.deadline]) });
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(40);
    const deadlinesOf = (i: number) => seen.filter(([s]) => s === i).map(([, d]) => d);
    expect(deadlinesOf(0)).toEqual([20, 40]);
    expect(deadlinesOf(1)).toEqual([5, 25]);
    expect(deadlinesOf(2)).toEqual([10, 30]);
    expect(deadlinesOf(3)).toEqual([15, 35]);
    expect(deadlinesOf(4)).toEqual([20, 40]);
  });

  it('after a stall each stream still gets one tick with the elapsed frames', () => {
    const loop = new BlockableLoop();
    const pacer = new Pacer({ clock: loop, slots: 4 });
    const seen: PacedTick[][] = [[], []];
    seen.forEach((list) => pacer.register({ tick: (t) => list.push(t) }));
    loop.run(40);
    loop.run(106, 106); // blocked 40..106
    expect(seen[0]?.map((t) => [t.deadline, t.elapsedFrames])).toEqual([
      [20, 1],
      [40, 1],
      [100, 3],
    ]);
    expect(seen[1]?.map((t) => [t.deadline, t.elapsedFrames])).toEqual([
      [5, 1],
      [25, 1],
      [105, 4],
    ]);
  });
});

describe('pacer with a precise finish', () => {
  /** A loop whose clock the pacer's blocking sleep moves forward, as a real sleep would. */
  class SleepingLoop implements Clock {
    t = 0;
    private timers: { at: number; cb: () => void }[] = [];
    readonly sleeps: number[] = [];
    now(): number {
      return this.t;
    }
    setTimeout(cb: () => void, ms: number): TimerHandle {
      const timer = { at: this.t + ms, cb };
      this.timers.push(timer);
      return timer as unknown as TimerHandle;
    }
    clearTimeout(handle: TimerHandle): void {
      this.timers = this.timers.filter((x) => x !== (handle as unknown));
    }
    sleep = (ms: number): void => {
      this.sleeps.push(ms);
      this.t += ms;
    };
    run(until: number, blockedUntil = 0): void {
      for (;;) {
        const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        this.timers = this.timers.filter((x) => x !== due);
        this.t = Math.max(due.at, blockedUntil, this.t);
        due.cb();
      }
      this.t = Math.max(this.t, until);
    }
  }

  it('wakes finishMs early and sleeps the rest, so ticks run at their deadlines; a late wake-up does not sleep', () => {
    const loop = new SleepingLoop();
    const pacer = new Pacer({ clock: loop, finishMs: 1, sleepPrecisely: loop.sleep });
    const seen: PacedTick[] = [];
    pacer.register({ tick: (t) => seen.push(t) });
    loop.run(40);
    loop.run(62, 61.5); // the wake-up for 60 comes at 61.5: tick at once, no sleep
    expect(seen.map((t) => [t.deadline, t.now])).toEqual([
      [20, 20],
      [40, 40],
      [60, 61.5],
    ]);
    expect(loop.sleeps).toEqual([1, 1]);
  });

  it('does not sleep for a sub-deadline whose slot has no streams', () => {
    const loop = new SleepingLoop();
    const pacer = new Pacer({ clock: loop, slots: 4, finishMs: 1, sleepPrecisely: loop.sleep });
    const seen: PacedTick[] = [];
    pacer.register({ tick: (t) => seen.push(t) }); // slot 0: deadlines 20, 40
    loop.run(40);
    expect(seen.map((t) => [t.deadline, t.now])).toEqual([
      [20, 20],
      [40, 40],
    ]);
    expect(loop.sleeps).toEqual([1, 1]);
  });

  it('without sleepPrecisely the timer alone is used (finishMs ignored)', () => {
    const clock = new FakeClock(0);
    const pacer = new Pacer({ clock, finishMs: 1 });
    const seen: PacedTick[] = [];
    pacer.register({ tick: (t) => seen.push(t) });
    clock.advance(19.5);
    expect(seen).toHaveLength(0);
    clock.advance(0.5);
    expect(seen.map((t) => t.now)).toEqual([20]);
  });
});
