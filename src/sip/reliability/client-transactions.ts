import type { Clock, TimerHandle } from '../../util/clock.js';
import { RecentBranches } from './recent-branches.js';
import type { SipTimerValues } from '../transaction/timer-policy.js';
import type { ReceiveVerdict, SendTarget, Transmit } from './types.js';

/**
 * Client transaction state kept by the UDP layer (RFC 3261 §17.1):
 *
 *   INVITE:      calling --1xx--> proceeding --final--> completed/accepted --(64·T1)--> gone
 *                   └── Timer A: re-send at T1, 2·T1, 4·T1 … until any response; Timer B at 64·T1
 *   non-INVITE:  trying --1xx--> proceeding --final--> completed --(T4)--> gone
 *                   └── Timer E: re-send at T1 doubling up to T2 (T2 once proceeding); Timer F at 64·T1
 */
interface ClientTransaction {
  key: string;
  method: string;
  raw: string;
  target: SendTarget;
  interval: number;
  retransmit?: TimerHandle;
  timeout?: TimerHandle;
  cleanup?: TimerHandle;
  provisional: boolean;
  finalStatus?: number;
  /** 2xx To-tags already seen: a repeat is a retransmission (or another fork's answer). */
  answeredTags: Set<string>;
  /** The ACK the core sent for a non-2xx final response; re-sent on every retransmission of it. */
  ack?: { raw: string; target: SendTarget };
}

export class ClientTransactions {
  private readonly transactions = new Map<string, ClientTransaction>();
  /** Branches of ACKs for 2xx sent in the last 64·T1. */
  private readonly acksFor2xx: RecentBranches;

  constructor(
    private readonly clock: Clock,
    private readonly timers: SipTimerValues,
    private readonly transmit: Transmit,
    private readonly onTimeout: (raw: string, target: SendTarget) => void,
  ) {
    this.acksFor2xx = new RecentBranches(clock, 64 * timers.t1);
  }

  /** A request the core sends. Returns true if it is a copy of one already in flight. */
  start(branch: string, method: string, raw: string, target: SendTarget): boolean {
    const key = `${branch}|${method}`;
    if (this.transactions.has(key)) return true;
    const transaction: ClientTransaction = {
      key,
      method,
      raw,
      target,
      interval: this.timers.t1,
      provisional: false,
      answeredTags: new Set(),
    };
    this.transactions.set(key, transaction);
    this.scheduleRetransmit(transaction);
    transaction.timeout = this.clock.setTimeout(() => {
      // Timer B / F: no final response. The core has its own B/F; we stop re-sending and report.
      this.stopTimers(transaction);
      this.transactions.delete(key);
      this.onTimeout(transaction.raw, transaction.target);
    }, 64 * this.timers.t1);
    return false;
  }

  /** The core's ACK to a non-2xx final response shares the INVITE's branch (§17.1.1.3): keep it. */
  recordAck(branch: string, raw: string, target: SendTarget): boolean {
    const transaction = this.transactions.get(`${branch}|INVITE`);
    if (!transaction) return this.acksFor2xx.repeat(branch);
    if (transaction.finalStatus === undefined || transaction.finalStatus < 300) return false;
    const repeat = transaction.ack?.raw === raw;
    transaction.ack = { raw, target };
    return repeat;
  }

  receiveResponse(branch: string, method: string, status: number, toTag: string | undefined): ReceiveVerdict {
    const transaction = this.transactions.get(`${branch}|${method}`);
    if (!transaction) return { deliver: true, retransmission: false };
    return method === 'INVITE'
      ? this.receiveInviteResponse(transaction, status, toTag)
      : this.receiveNonInviteResponse(transaction, status);
  }

  clear(): void {
    for (const transaction of this.transactions.values()) this.stopTimers(transaction);
    this.transactions.clear();
    this.acksFor2xx.clear();
  }


  private receiveInviteResponse(transaction: ClientTransaction, status: number, toTag: string | undefined): ReceiveVerdict {
    // Any response stops Timer A (§17.1.1.2).
    this.stopRetransmit(transaction);
    if (status < 200) {
      // A provisional after the final answer (a multi-worker proxy can reorder 180 and 200):
      // harmless, but no longer news for the core.
      if (transaction.finalStatus !== undefined) return { deliver: false, retransmission: false };
      // Proceeding: Timer B no longer applies; a call may ring as long as the callee likes.
      if (transaction.timeout !== undefined) this.clock.clearTimeout(transaction.timeout);
      transaction.timeout = undefined;
      transaction.provisional = true;
      return { deliver: true, retransmission: false };
    }
    if (status < 300) {
      const tag = toTag ?? '';
      const repeat = transaction.answeredTags.has(tag);
      transaction.answeredTags.add(tag);
      this.finish(transaction, status);
      // Retransmitted 2xx go up: the UA core must re-send its ACK for each (§13.2.2.4, RFC 6026).
      return { deliver: true, retransmission: repeat };
    }
    if (transaction.finalStatus !== undefined && transaction.finalStatus >= 300) {
      // Timer D's purpose: a retransmitted non-2xx final means our ACK was lost; re-send it.
      if (transaction.ack) this.transmit(transaction.ack.raw, transaction.ack.target, true);
      return { deliver: false, retransmission: true };
    }
    this.finish(transaction, status);
    return { deliver: true, retransmission: false };
  }

  private receiveNonInviteResponse(transaction: ClientTransaction, status: number): ReceiveVerdict {
    if (transaction.finalStatus !== undefined) return { deliver: false, retransmission: true };
    if (status < 200) {
      const first = !transaction.provisional;
      if (first) {
        // Proceeding: Timer E continues, now at T2 (§17.1.2.2).
        transaction.provisional = true;
        transaction.interval = this.timers.t2;
        this.stopRetransmit(transaction);
        this.scheduleRetransmit(transaction);
      }
      return { deliver: first, retransmission: !first };
    }
    this.finish(transaction, status);
    return { deliver: true, retransmission: false };
  }

  private finish(transaction: ClientTransaction, status: number): void {
    if (transaction.finalStatus !== undefined) return;
    transaction.finalStatus = status;
    this.stopTimers(transaction);
    // Keep the transaction to absorb retransmissions: 64·T1 for INVITE (Timers D, M), T4 otherwise (Timer K).
    const linger = transaction.method === 'INVITE' ? 64 * this.timers.t1 : this.timers.t4;
    transaction.cleanup = this.clock.setTimeout(() => this.transactions.delete(transaction.key), linger);
  }

  private scheduleRetransmit(transaction: ClientTransaction): void {
    transaction.retransmit = this.clock.setTimeout(() => {
      this.transmit(transaction.raw, transaction.target, true);
      // INVITE doubles without bound (Timer A); non-INVITE doubles up to T2 (Timer E).
      transaction.interval =
        transaction.method === 'INVITE' ? transaction.interval * 2 : Math.min(transaction.interval * 2, this.timers.t2);
      this.scheduleRetransmit(transaction);
    }, transaction.interval);
  }

  private stopRetransmit(transaction: ClientTransaction): void {
    if (transaction.retransmit !== undefined) this.clock.clearTimeout(transaction.retransmit);
    transaction.retransmit = undefined;
  }

  private stopTimers(transaction: ClientTransaction): void {
    this.stopRetransmit(transaction);
    if (transaction.timeout !== undefined) this.clock.clearTimeout(transaction.timeout);
    if (transaction.cleanup !== undefined) this.clock.clearTimeout(transaction.cleanup);
    transaction.timeout = undefined;
    transaction.cleanup = undefined;
  }
}
