/**
 * One timer structure for every call of an engine (retransmissions, hold, transaction
 * timeouts): a hashed timing wheel with `tickMs` slots, advanced by the engine's single
 * interval. Thousands of pending timers cost one array push each, no libuv timer, no closure.
 *
 * Cancellation is eager: `cancel(owner)` detaches every pending entry of that owner at once, so
 * a finished call or request is unreachable from the wheel the moment it ends. (It used to be
 * lazy: each entry kept its owner, with the owner's request and values, until it fell due, up
 * to --timeout later, so memory grew with the length of a run instead of its concurrency.) A
 * detached entry is a few numbers, dropped when its slot comes round.
 */
export interface Timed {
  /** Moves on whenever the owner's pending timers become moot (see `TimerWheel.cancel`). */
  generation: number;
  onTimer(kind: number, now: number): void;
  /** The owner's pending entries, kept by the wheel so that `cancel` can detach them. */
  wheelEntries?: Entry[];
}

export interface Entry {
  due: number;
  /** Undefined once fired or cancelled. */
  target: Timed | undefined;
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
    const entry: Entry = { due, target, kind, generation: target.generation };
    this.slots[tick % this.slots.length]!.push(entry);
    (target.wheelEntries ??= []).push(entry);
    this.pending++;
  }

  /** Cancels every pending timer of `target` now and lets go of it. */
  cancel(target: Timed): void {
    target.generation++;
    const entries = target.wheelEntries;
    if (!entries) return;
    for (const entry of entries) entry.target = undefined;
    entries.length = 0;
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
        const target = entry.target;
        if (!target) continue;
        entry.target = undefined;
        const own = target.wheelEntries!;
        own.splice(own.indexOf(entry), 1);
        if (target.generation === entry.generation) target.onTimer(entry.kind, now);
      }
      if (slot.length > count) {
        for (let i = count; i < slot.length; i++) slot[keep++] = slot[i]!;
      }
      slot.length = keep;
    }
  }
}
