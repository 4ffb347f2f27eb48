import type { Clock, TimerHandle } from '../../util/clock.js';
import { RecentBranches } from './recent-branches.js';
import type { SipTimerValues } from '../transaction/timer-policy.js';
import type { ReceiveVerdict, SendTarget, Transmit } from './types.js';

/**
 * Server transaction state kept by the UDP layer (RFC 3261 §17.2):
 *
 *   request in --> proceeding --final sent--> completed --(64·T1)--> gone
 *                    │ a retransmitted request is answered with the last response sent
 *                    └ INVITE, non-2xx final: Timer G re-sends it (T1 doubling up to T2)
 *                      until the ACK (same branch) arrives; Timer H gives up at 64·T1.
 * The 2xx to INVITE is re-sent by the UA core (sip.js does, §13.3.1.4), not here.
 */
interface ServerTransaction {
  key: string;
  lastResponse?: { raw: string; target: SendTarget };
  finalStatus?: number;
  /** A provisional response was sent: the request is legitimately still being worked on. */
  proceeding?: boolean;
  acked: boolean;
  interval: number;
  retransmit?: TimerHandle;
  giveUp?: TimerHandle;
  cleanup?: TimerHandle;
}

/**
 * A request the core never answers (it dropped it, or it was garbage) is forgotten after 64·T1,
 * like any transaction; and the table is capped so a flood cannot grow it without bound
 * (the oldest entries go first; a retransmission of one then simply reaches the core again).
 */
const MAX_TRANSACTIONS = 20_000;
/** How long a transaction that got a provisional answer may wait for its final one. */
const PROCEEDING_LIFETIME_MS = 600_000;

export class ServerTransactions {
  private readonly transactions = new Map<string, ServerTransaction>();
  /** Branches of ACKs for 2xx received in the last 64·T1. */
  private readonly acksFor2xx: RecentBranches;

  constructor(
    private readonly clock: Clock,
    private readonly timers: SipTimerValues,
    private readonly transmit: Transmit,
  ) {
    this.acksFor2xx = new RecentBranches(clock, 64 * timers.t1);
  }

  receiveRequest(branch: string, method: string): ReceiveVerdict {
    if (method === 'ACK') return this.receiveAck(branch);
    const key = `${branch}|${method}`;
    const existing = this.transactions.get(key);
    if (existing) {
      // §17.2.1 / §17.2.2: a retransmitted request gets the most recent response again.
      if (existing.lastResponse) this.transmit(existing.lastResponse.raw, existing.lastResponse.target, true);
      return { deliver: false, retransmission: true };
    }
    const transaction: ServerTransaction = { key, acked: false, interval: this.timers.t1 };
    transaction.cleanup = this.clock.setTimeout(() => this.forget(transaction), 64 * this.timers.t1);
    this.transactions.set(key, transaction);
    if (this.transactions.size > MAX_TRANSACTIONS) {
      const oldest = this.transactions.values().next().value;
      if (oldest) this.forget(oldest);
    }
    return { deliver: true, retransmission: false };
  }

  /** A response the core sends. Returns true if it repeats the last one (the core's own 2xx re-send). */
  recordResponse(branch: string, method: string, status: number, raw: string, target: SendTarget): boolean {
    const transaction = this.transactions.get(`${branch}|${method}`);
    if (!transaction) return false;
    const repeat = transaction.lastResponse?.raw === raw;
    transaction.lastResponse = { raw, target };
    if (status < 200 && transaction.finalStatus === undefined && !transaction.proceeding) {
      // Answered with a provisional: the core is working on it (a phone may ring for minutes).
      transaction.proceeding = true;
      this.clearTimer(transaction.cleanup);
      transaction.cleanup = this.clock.setTimeout(() => this.forget(transaction), PROCEEDING_LIFETIME_MS);
    }
    if (status < 200 || transaction.finalStatus !== undefined) return repeat;
    transaction.finalStatus = status;
    this.clearTimer(transaction.cleanup);
    transaction.cleanup = this.clock.setTimeout(() => this.forget(transaction), 64 * this.timers.t1);
    if (method === 'INVITE' && status >= 300) this.startTimerG(transaction);
    return repeat;
  }

  clear(): void {
    for (const transaction of this.transactions.values()) this.stopTimers(transaction);
    this.transactions.clear();
    this.acksFor2xx.clear();
  }


  private receiveAck(branch: string): ReceiveVerdict {
    const transaction = this.transactions.get(`${branch}|INVITE`);
    // An ACK for a 2xx has a branch of its own: it belongs to the dialog, pass it up — every copy,
    // since a proxy must forward a re-sent ACK whose first copy was lost further on; the copies
    // are marked as retransmissions.
    if (!transaction) return { deliver: true, retransmission: this.acksFor2xx.repeat(branch) };
    if (transaction.finalStatus === undefined || transaction.finalStatus < 300) {
      return { deliver: true, retransmission: false };
    }
    if (transaction.acked) return { deliver: false, retransmission: true };
    transaction.acked = true;
    this.clearTimer(transaction.retransmit);
    this.clearTimer(transaction.giveUp);
    return { deliver: true, retransmission: false };
  }

  private startTimerG(transaction: ServerTransaction): void {
    const resend = () => {
      const last = transaction.lastResponse;
      if (!last || transaction.acked) return;
      this.transmit(last.raw, last.target, true);
      transaction.interval = Math.min(transaction.interval * 2, this.timers.t2);
      transaction.retransmit = this.clock.setTimeout(resend, transaction.interval);
    };
    transaction.retransmit = this.clock.setTimeout(resend, transaction.interval);
    transaction.giveUp = this.clock.setTimeout(() => this.clearTimer(transaction.retransmit), 64 * this.timers.t1);
  }

  private forget(transaction: ServerTransaction): void {
    this.stopTimers(transaction);
    this.transactions.delete(transaction.key);
  }

  private stopTimers(transaction: ServerTransaction): void {
    this.clearTimer(transaction.retransmit);
    this.clearTimer(transaction.giveUp);
    this.clearTimer(transaction.cleanup);
  }

  private clearTimer(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.clock.clearTimeout(handle);
  }
}
