import { T1 } from '../../sip/transaction/timer-policy.js';

/**
 * Tells a server that stopped answering from one that is merely slow, so that a load run
 * against a dead proxy ends by itself instead of running until --duration with every call
 * timing out one by one. Two pieces of evidence, both from RFC 3261:
 *
 * - `refused`: sends keep failing at the transport (ICMP port unreachable on UDP, connection
 *   refused or reset on TCP/WS: §18.4 and §17.1.1.2 tell the transaction layer to treat these
 *   as a failure) and nothing at all has come back for 4·T1 (2 s). On UDP this is best effort:
 *   Node reports an ICMP error only when the socket reads it, not when a send without a callback
 *   (the load path's, for speed) hits it, so a burst of sends can hide it; the second rule holds.
 * - `timeout`: a transaction reached its Timer B/F/H (--timeout, 64·T1) and nothing at all was
 *   received from the server during that whole time: not one provisional, not one response to
 *   any other transaction. A busy server still answers something; a silent one is gone.
 *
 * The engine feeds `heard()` from its receive path (one assignment per message) and calls
 * `check()` a few times a second with counters it already keeps.
 */
export interface ServerSilence {
  /** `127.0.0.1:5060`. */
  server: string;
  rule: 'refused' | 'timeout';
  /** Nothing came back from the server for this long when the run gave up, ms. */
  silentMs: number;
  /** True when the server never sent a single message. */
  neverAnswered: boolean;
  /** Calls and requests under way at that moment. */
  waiting: number;
  /** Sends the network refused since the server last spoke. */
  refusedSends: number;
  /** Transactions that timed out since the server last spoke. */
  timeouts: number;
  /** The sentence written on stderr, in the summary and in the JUnit file. */
  message: string;
}

/** Silence after which refused sends mean the server is gone (4·T1). */
export const REFUSED_SILENCE_MS = 4 * T1;

export interface WatchReading {
  now: number;
  /** Sum of the links' sendErrors. */
  sendErrors: number;
  /** Transaction timeouts counted so far (measured and setup ones). */
  timeouts: number;
  waiting: number;
}

export class ServerWatch {
  /** Set by the engine's receive path. */
  lastHeardAt: number;
  private everHeard = false;
  private checkedHeardAt: number;
  private errorsAtHeard = 0;
  private timeoutsAtHeard = 0;

  constructor(
    private readonly server: string,
    private readonly timeoutMs: number,
    startedAt: number,
  ) {
    this.lastHeardAt = startedAt;
    this.checkedHeardAt = startedAt;
  }

  /** Returns what was seen when the server must be considered dead, else undefined. */
  check(r: WatchReading): ServerSilence | undefined {
    if (this.lastHeardAt !== this.checkedHeardAt) {
      // The server spoke since the previous check: what failed before that does not count.
      this.everHeard = true;
      this.checkedHeardAt = this.lastHeardAt;
      this.errorsAtHeard = r.sendErrors;
      this.timeoutsAtHeard = r.timeouts;
      return undefined;
    }
    const silentMs = r.now - this.lastHeardAt;
    const refusedSends = r.sendErrors - this.errorsAtHeard;
    const timeouts = r.timeouts - this.timeoutsAtHeard;
    let rule: ServerSilence['rule'] | undefined;
    if (refusedSends > 0 && silentMs >= REFUSED_SILENCE_MS) rule = 'refused';
    else if (timeouts > 0 && silentMs >= this.timeoutMs) rule = 'timeout';
    if (!rule) return undefined;
    const silence = { server: this.server, rule, silentMs: Math.round(silentMs), neverAnswered: !this.everHeard, waiting: r.waiting, refusedSends, timeouts };
    return { ...silence, message: describeSilence(silence) };
  }
}

export function describeSilence(s: Omit<ServerSilence, 'message'>): string {
  const what = s.neverAnswered ? `server ${s.server} never answered` : `server ${s.server} stopped answering`;
  const evidence =
    s.rule === 'refused'
      ? `${s.refusedSends} sends refused by the network (port unreachable or connection refused)`
      : `${s.timeouts} transactions timed out`;
  const waiting = s.waiting > 0 ? `, ${s.waiting} calls or requests were waiting` : '';
  return `${what}: nothing received for ${(s.silentMs / 1000).toFixed(1)} s, ${evidence}${waiting}`;
}
