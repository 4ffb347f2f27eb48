/**
 * One timer structure for every call of an engine (retransmissions, hold, transaction
 * timeouts): a hashed timing wheel with `tickMs` slots, advanced by the engine's single
 * interval. Thousands of pending timers cost one array push each, no libuv timer, no closure.
 * Cancellation is lazy: the owner ignores a firing whose generation is stale (see `Timed`).
 */
export interface Timed {
  /** Bumped by the owner whenever its pending timer becomes moot. */
  generation: number;
  onTimer(kind: number, now: number): void;
}

interface Entry {
  due: number;
  target: Timed;
  kind: number;
  generation: number;
}

export class TimerWheel {
  private readonly slots: Entry[][];
  private cursor: number;
  private pending = 0;

  constructor(
    private readonly tickMs: number,
    start: number,
    slotCount = 4096,
  ) {
    this.slots = Array.from({ length: slotCount }, () => []);
    this.cursor = Math.floor(start / tickMs);
  }

  get size(): number {
    return this.pending;
  }

  /** Fires `target.onTimer(kind)` at or after `due` (ms, same clock as `advance`), unless its generation moved on. */
  schedule(target: Timed, kind: number, due: number): void {
    const tick = Math.max(Math.ceil(due / this.tickMs), this.cursor + 1);
    this.slots[tick % this.slots.length]!.push({ due, target, kind, generation: target.generation });
    this.pending++;
  }

  /** Fires everything due up to `now`. Entries further than one turn away wait in their slot. */
  advance(now: number): void {
    const last = Math.floor(now / this.tickMs);
    while (this.cursor < last) {
      this.cursor++;
      const slot = this.slots[this.cursor % this.slots.length]!;
      if (slot.length === 0) continue;
      let keep = 0;
      // Timers scheduled from inside onTimer land in later ticks, so iterating by index is safe.
      const count = slot.length;
      for (let i = 0; i < count; i++) {
        const entry = slot[i]!;
        if (entry.due > now && Math.ceil(entry.due / this.tickMs) > this.cursor) {
          slot[keep++] = entry;
          continue;
        }
        this.pending--;
        if (entry.target.generation === entry.generation) entry.target.onTimer(entry.kind, now);
      }
      if (slot.length > count) {
        for (let i = count; i < slot.length; i++) slot[keep++] = slot[i]!;
      }
      slot.length = keep;
    }
  }
}
