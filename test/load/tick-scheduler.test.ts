import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TickScheduler } from '../../src/load/engine/tick-scheduler.js';

/** The load engine's tick runs when something is due (issue 17: a 1 ms interval cost CPU at every rate). */
describe('TickScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks at once, then at the times the ticks ask for, not every millisecond', () => {
    const ticks: number[] = [];
    const scheduler = new TickScheduler(Date.now, (now) => {
      ticks.push(now);
      return now + 5; // the next arrival at 200/s
    });
    scheduler.start();
    vi.advanceTimersByTime(20);
    expect(ticks).toEqual([0, 5, 10, 15, 20]);
    scheduler.stop();
    vi.advanceTimersByTime(100);
    expect(ticks).toHaveLength(5);
  });

  it('a fractional due time is never run early, and the shortest gap is 1 ms', () => {
    const ticks: number[] = [];
    const scheduler = new TickScheduler(Date.now, (now) => {
      ticks.push(now);
      return ticks.length === 1 ? now + 2.25 : now + 0.25;
    });
    scheduler.start();
    vi.advanceTimersByTime(5);
    expect(ticks).toEqual([0, 3, 4, 5]);
    scheduler.stop();
  });

  it('wakeBy brings the next tick forward, never back', () => {
    const ticks: number[] = [];
    const scheduler = new TickScheduler(Date.now, (now) => {
      ticks.push(now);
      return now + 1000; // the next progress sample
    });
    scheduler.start();
    vi.advanceTimersByTime(10);
    scheduler.wakeBy(500); // a retransmission timer added between ticks
    scheduler.wakeBy(800); // later than planned: no change
    vi.advanceTimersByTime(490);
    expect(ticks).toEqual([0, 500]);
    scheduler.wakeBy(Date.now()); // a call ended and an arrival waits for its slot: as soon as possible
    vi.advanceTimersByTime(1);
    expect(ticks).toEqual([0, 500, 501]);
    scheduler.stop();
  });

  it('a wake asked for during a tick waits for the plan the tick returns', () => {
    const ticks: number[] = [];
    let scheduler: TickScheduler;
    scheduler = new TickScheduler(Date.now, (now) => {
      ticks.push(now);
      scheduler.wakeBy(now); // e.g. a timer the tick itself added
      return now + 10;
    });
    scheduler.start();
    vi.advanceTimersByTime(10);
    expect(ticks).toEqual([0, 10]);
    scheduler.stop();
  });

  it('nothing due: no timer until woken', () => {
    const ticks: number[] = [];
    const scheduler = new TickScheduler(Date.now, (now) => {
      ticks.push(now);
      return Infinity;
    });
    scheduler.start();
    vi.advanceTimersByTime(10_000);
    expect(ticks).toEqual([0]);
    scheduler.wakeBy(10_005);
    vi.advanceTimersByTime(10);
    expect(ticks).toEqual([0, 10_005]);
    scheduler.stop();
  });
});
