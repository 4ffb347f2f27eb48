import type { Clock } from '../../util/clock.js';
import { InviteClientState, InviteClientTransaction } from '../transaction/invite-client.js';
import { NonInviteClientTransaction } from '../transaction/non-invite-client.js';
import { timerPolicy, type SipTimerValues, type TimerPolicy } from '../transaction/timer-policy.js';
import type { ClientTransactionUser, TransactionOwner } from '../transaction/transaction-user.js';
import { RecentBranches } from './recent-branches.js';
import type { ReceiveVerdict, SendTarget, Transmit } from './types.js';

/**
 * What the UDP layer keeps beside each client transaction of src/sip/transaction: the bytes it
 * re-sends (the request for Timer A/E, the core's ACK for a retransmitted non-2xx final) and
 * what it has seen, to mark copies on the wire. The transaction owns the timers and the states
 * (Calling, Proceeding, Completed, Accepted, Terminated); this only carries them out.
 */
class Tracked implements ClientTransactionUser {
  transaction!: InviteClientTransaction | NonInviteClientTransaction;
  finalStatus?: number;
  provisional = false;
  /** 2xx To-tags already seen: a repeat is a retransmission (or another fork's answer). */
  readonly answeredTags = new Set<string>();
  /** The ACK the core sent for a non-2xx final response; re-sent on every retransmission of it. */
  ack?: { raw: string; target: SendTarget };

  constructor(
    readonly raw: string,
    readonly target: SendTarget,
    private readonly transmit: Transmit,
    private readonly onTimeout: (raw: string, target: SendTarget) => void,
  ) {}

  retransmitRequest(): void {
    this.transmit(this.raw, this.target, true);
  }

  /** The core ACKs the first non-2xx final itself (sip.js does): only its retransmissions are ours. */
  sendAck(): void {
    if (this.ack) this.transmit(this.ack.raw, this.ack.target, true);
  }

  /** Timer B / F: the core has its own B/F; the layer stops re-sending and reports. */
  timedOut(): void {
    this.onTimeout(this.raw, this.target);
  }
}

export class ClientTransactions implements TransactionOwner {
  private readonly transactions = new Map<string, Tracked>();
  private readonly policy: TimerPolicy;
  /** Branches of ACKs for 2xx sent in the last 64·T1. */
  private readonly acksFor2xx: RecentBranches;

  constructor(
    private readonly clock: Clock,
    timers: SipTimerValues,
    private readonly transmit: Transmit,
    private readonly onTimeout: (raw: string, target: SendTarget) => void,
  ) {
    this.policy = timerPolicy('unreliable', timers);
    this.acksFor2xx = new RecentBranches(clock, this.policy.transactionTimeout);
  }

  /** A request the core sends. Returns true if it is a copy of one already in flight. */
  start(branch: string, method: string, raw: string, target: SendTarget): boolean {
    const key = `${branch}|${method}`;
    if (this.transactions.has(key)) return true;
    const tracked = new Tracked(raw, target, this.transmit, this.onTimeout);
    this.transactions.set(key, tracked);
    tracked.transaction =
      method === 'INVITE'
        ? new InviteClientTransaction(key, this.clock, this.policy, this, tracked)
        : new NonInviteClientTransaction(key, this.clock, this.policy, this, tracked);
    return false;
  }

  terminated(key: string): void {
    this.transactions.delete(key);
  }

  /** Drops the transaction of a request the socket refused to send (RFC 3261 §17.1.4): nothing re-sends it. */
  forget(branch: string, method: string): void {
    const key = `${branch}|${method}`;
    this.transactions.get(key)?.transaction.abandon();
    this.transactions.delete(key);
  }

  /** The core's ACK to a non-2xx final response shares the INVITE's branch (§17.1.1.3): keep it. */
  recordAck(branch: string, raw: string, target: SendTarget): boolean {
    const tracked = this.transactions.get(`${branch}|INVITE`);
    if (!tracked) return this.acksFor2xx.repeat(branch);
    if (tracked.finalStatus === undefined || tracked.finalStatus < 300) return false;
    const repeat = tracked.ack?.raw === raw;
    tracked.ack = { raw, target };
    return repeat;
  }

  receiveResponse(branch: string, method: string, status: number, toTag: string | undefined): ReceiveVerdict {
    const tracked = this.transactions.get(`${branch}|${method}`);
    if (!tracked) return { deliver: true, retransmission: false };
    const { transaction } = tracked;
    if (transaction instanceof InviteClientTransaction) {
      // A 2xx after a non-2xx final is no move of Figure 5: hand it up as the core's business.
      if (transaction.state === InviteClientState.Completed && status >= 200 && status < 300) return { deliver: true, retransmission: false };
      return this.receiveInviteResponse(tracked, transaction, status, toTag);
    }
    const again = tracked.finalStatus !== undefined || (status < 200 && tracked.provisional);
    const verdict = transaction.receive({ status });
    if (status < 200) tracked.provisional = true;
    else tracked.finalStatus ??= status;
    // Only the first provisional is news for the core; later ones are marked as copies.
    return { deliver: verdict === 'pass' && !again, retransmission: again };
  }

  clear(): void {
    for (const tracked of this.transactions.values()) tracked.transaction.abandon();
    this.transactions.clear();
    this.acksFor2xx.clear();
  }

  private receiveInviteResponse(tracked: Tracked, transaction: InviteClientTransaction, status: number, toTag: string | undefined): ReceiveVerdict {
    // The transaction re-sends the core's ACK itself for a retransmitted non-2xx (Completed).
    const verdict = transaction.receive({ status });
    let retransmission = false;
    if (status >= 200 && status < 300) {
      // Retransmitted 2xx go up (Accepted, RFC 6026): the core re-sends its ACK for each (§13.2.2.4).
      const tag = toTag ?? '';
      retransmission = tracked.answeredTags.has(tag);
      tracked.answeredTags.add(tag);
    } else if (status >= 300) {
      retransmission = tracked.finalStatus !== undefined && tracked.finalStatus >= 300;
    }
    if (status >= 200) tracked.finalStatus ??= status;
    // A provisional after the final answer (a multi-worker proxy can reorder 180 and 200) is absorbed.
    return { deliver: verdict === 'pass', retransmission };
  }
}
