/**
 * One timer structure for every call of an engine (retransmissions, hold, transaction
 * timeouts): a hashed timing wheel with `tickMs` slots, advanced by the engine's single
 * interval. Thousands of pending timers cost one small entry each, no libuv timer.
 *
 * Cancellation is eager and complete: `cancel(owner)` (and `clear(entry)` for a bare callback)
 * takes the entries out of their slots at once, so a finished call or request leaves nothing in
 * the wheel, not even a detached entry waiting for its slot to come round (at 4,000
 * REGISTERs/s, each with a 32 s Timer F, those were 128,000 entries). Entries hold their due
 * tick as a small integer, never a boxed float.
 */
export interface Timed {
  /** Moves on whenever the owner's pending timers become moot (see `TimerWheel.cancel`). */
  generation: number;
  onTimer(kind: number, now: number): void;
  /** The owner's pending entries, kept by the wheel so that `cancel` can take them out. */
  wheelEntries?: Entry[];
}

export interface Entry {
  /** The wheel tick it falls due at (`ceil(due / tickMs)`). */
  tick: number;
  /** An owner (its `onTimer(kind)` fires) or a bare callback; undefined once fired or cancelled. */
  target: Timed | (() => void) | undefined;
  kind: number;
  generation: number;
}

export class TimerWheel {
  private readonly slots: Entry[][];
  private cursor: number;
  private pending = 0;
  /** The slot `advance` is walking: an entry cancelled there is only detached, and dropped by the walk. */
  private walking = -1;
  /**
   * Told when each entry added falls due (ms), so that an owner that advances the wheel only
   * when something is due (see TickScheduler) can wake sooner for it.
   */
  onAdd: ((due: number) => void) | undefined;

  constructor(
    private readonly tickMs: number,
    start: number,
    slotCount = 4096,
  ) {
    this.slots = Array.from({ length: slotCount }, () => []);
    this.cursor = Math.floor(start / tickMs);
  }

  /** Entries in the wheel: pending timers (plus, during `advance`, entries cancelled in the slot it walks). */
  get size(): number {
    return this.pending;
  }

  /** Fires `target.onTimer(kind)` at or after `due` (ms, same clock as `advance`), unless its generation moved on. */
  schedule(target: Timed, kind: number, due: number): void {
    const entry = this.add(target, kind, target.generation, due);
    // Mostly one pending timer per owner: a one-element literal, not a push that reserves 16 more slots.
    if (target.wheelEntries === undefined || target.wheelEntries.length === 0) target.wheelEntries = [entry];
    else target.wheelEntries.push(entry);
  }

  /** Calls `fire` at or after `due`; the entry is the handle `clear` takes. */
  scheduleCallback(fire: () => void, due: number): Entry {
    return this.add(fire, 0, 0, due);
  }

  /** Cancels a callback of `scheduleCallback` (nothing if it fired already). */
  clear(entry: Entry): void {
    this.remove(entry);
  }

  /** Cancels every pending timer of `target` now and lets go of it. */
  cancel(target: Timed): void {
    target.generation++;
    const entries = target.wheelEntries;
    if (!entries) return;
    for (const entry of entries) this.remove(entry);
    entries.length = 0;
  }

  /**
   * When `advance` next has something to fire: the start of the first tick an entry falls due
   * at, looking no further than `horizon` (returned when nothing falls due before it). Entries
   * a turn or more away share slots with nearer ones: with thousands of calls held, nearly
   * every slot holds one (a 10 s hold, a 32 s Timer D), so a slot counts only for the entries
   * due in this turn.
   */
  nextDue(horizon: number): number {
    if (this.pending === 0) return horizon;
    const last = Math.min(Math.floor(horizon / this.tickMs), this.cursor + this.slots.length);
    for (let tick = this.cursor + 1; tick <= last; tick++) {
      for (const entry of this.slots[tick % this.slots.length]!) {
        if (entry.tick <= tick && entry.target !== undefined) return Math.min(tick * this.tickMs, horizon);
      }
    }
    // A horizon more than a turn away: nothing falls due within this turn, look again after it.
    return Math.min(horizon, (last + 1) * this.tickMs);
  }

  /** Fires everything due up to `now`. Entries further than one turn away wait in their slot. */
  advance(now: number): void {
    const last = Math.floor(now / this.tickMs);
    while (this.cursor < last) {
      this.cursor++;
      const index = this.cursor % this.slots.length;
      const slot = this.slots[index]!;
      if (slot.length === 0) continue;
      this.walking = index;
      let keep = 0;
      // Timers scheduled from inside onTimer land in later ticks (appended here only when a
      // whole turn away), so iterating by index up to `count` is safe.
      const count = slot.length;
      for (let i = 0; i < count; i++) {
        const entry = slot[i]!;
        const target = entry.target;
        if (target !== undefined && entry.tick > this.cursor) {
          slot[keep++] = entry;
          continue;
        }
        this.pending--;
        if (target === undefined) continue;
        entry.target = undefined;
        if (typeof target === 'function') {
          target();
          continue;
        }
        const own = target.wheelEntries!;
        own.splice(own.indexOf(entry), 1);
        if (target.generation === entry.generation) target.onTimer(entry.kind, now);
      }
      for (let i = count; i < slot.length; i++) {
        if (slot[i]!.target !== undefined) slot[keep++] = slot[i]!;
        else this.pending--;
      }
      slot.length = keep;
      this.walking = -1;
    }
  }

  private add(target: Timed | (() => void), kind: number, generation: number, due: number): Entry {
    const tick = Math.max(Math.ceil(due / this.tickMs), this.cursor + 1);
    const entry: Entry = { tick, target, kind, generation };
    this.slots[tick % this.slots.length]!.push(entry);
    this.pending++;
    this.onAdd?.(tick * this.tickMs);
    return entry;
  }

  private remove(entry: Entry): void {
    if (entry.target === undefined) return;
    entry.target = undefined;
    const index = entry.tick % this.slots.length;
    if (index === this.walking) return;
    const slot = this.slots[index]!;
    slot.splice(slot.lastIndexOf(entry), 1);
    this.pending--;
  }
}
