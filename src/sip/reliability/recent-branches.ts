import type { Clock, TimerHandle } from '../../util/clock.js';

/**
 * Branches seen in the last `ttlMs`. An ACK for a 2xx has a branch of its own (§13.2.2.4) and
 * is sent again for every retransmitted 2xx (the first ACK was lost): both the sending and the
 * receiving side use this to mark the copies as retransmissions, not new ACKs.
 */
export class RecentBranches {
  private readonly seen = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** True if `branch` was seen within the window; remembers it otherwise. */
  repeat(branch: string): boolean {
    if (this.seen.has(branch)) return true;
    this.seen.set(branch, this.clock.setTimeout(() => this.seen.delete(branch), this.ttlMs));
    return false;
  }

  clear(): void {
    for (const handle of this.seen.values()) this.clock.clearTimeout(handle);
    this.seen.clear();
  }
}
