import type { Clock, TimerHandle } from '../../util/clock.js';
import { InviteServerState, InviteServerTransaction } from '../transaction/invite-server.js';
import { NonInviteServerTransaction } from '../transaction/non-invite-server.js';
import { timerPolicy, type SipTimerValues, type TimerPolicy } from '../transaction/timer-policy.js';
import { IllegalTransactionMoveError } from '../transaction/transaction-errors.js';
import type { ServerTransactionUser, TransactionOwner } from '../transaction/transaction-user.js';
import { RecentBranches } from './recent-branches.js';
import type { ReceiveVerdict, SendTarget, Transmit } from './types.js';

/**
 * What the UDP layer keeps beside each server transaction of src/sip/transaction: the last
 * response the core sent (re-sent for a retransmitted request and by Timer G) and a guard for
 * a request the core never answers. The transaction owns the states and Timers G, H, I, J, L.
 * The 2xx to INVITE is re-sent by the UA core (sip.js does, §13.3.1.4), not here.
 */
class Tracked implements ServerTransactionUser {
  transaction!: InviteServerTransaction | NonInviteServerTransaction;
  lastResponse?: { raw: string; target: SendTarget };
  /** Forgets a request the core leaves unanswered (see MAX_TRANSACTIONS); cleared at its final response. */
  guard?: TimerHandle;
  proceeding = false;

  constructor(private readonly transmit: Transmit) {}

  retransmitResponse(): void {
    if (this.lastResponse) this.transmit(this.lastResponse.raw, this.lastResponse.target, true);
  }
}

/**
 * A request the core never answers (it dropped it, or it was garbage) is forgotten after 64·T1,
 * like any transaction; and the table is capped so a flood cannot grow it without bound
 * (the oldest entries go first; a retransmission of one then simply reaches the core again).
 */
const MAX_TRANSACTIONS = 20_000;
/** How long a transaction that got a provisional answer may wait for its final one. */
const PROCEEDING_LIFETIME_MS = 600_000;

export class ServerTransactions implements TransactionOwner {
  private readonly transactions = new Map<string, Tracked>();
  private readonly policy: TimerPolicy;
  /** Branches of ACKs for 2xx received in the last 64·T1. */
  private readonly acksFor2xx: RecentBranches;

  constructor(
    private readonly clock: Clock,
    timers: SipTimerValues,
    private readonly transmit: Transmit,
  ) {
    this.policy = timerPolicy('unreliable', timers);
    this.acksFor2xx = new RecentBranches(clock, this.policy.transactionTimeout);
  }

  receiveRequest(branch: string, method: string): ReceiveVerdict {
    if (method === 'ACK') return this.receiveAck(branch);
    const key = `${branch}|${method}`;
    const existing = this.transactions.get(key);
    if (existing) {
      const { transaction } = existing;
      if (transaction instanceof InviteServerTransaction) {
        transaction.receive('INVITE');
        // Accepted absorbs the copy (RFC 6026 §8.7); answering it with the 2xx at once spares the
        // caller a round of Timer A before the core's own 2xx retransmission.
        if (transaction.state === InviteServerState.Accepted) existing.retransmitResponse();
      } else {
        transaction.receive();
      }
      return { deliver: false, retransmission: true };
    }
    const tracked = new Tracked(this.transmit);
    tracked.transaction =
      method === 'INVITE'
        ? new InviteServerTransaction(key, this.clock, this.policy, this, tracked)
        : new NonInviteServerTransaction(key, this.clock, this.policy, this, tracked);
    this.transactions.set(key, tracked);
    this.guard(tracked, this.policy.transactionTimeout);
    if (this.transactions.size > MAX_TRANSACTIONS) {
      const oldest = this.transactions.values().next().value;
      oldest?.transaction.abandon();
    }
    return { deliver: true, retransmission: false };
  }

  /** A response the core sends. Returns true if it repeats the last one (the core's own 2xx re-send). */
  recordResponse(branch: string, method: string, status: number, raw: string, target: SendTarget): boolean {
    const tracked = this.transactions.get(`${branch}|${method}`);
    if (!tracked) return false;
    const repeat = tracked.lastResponse?.raw === raw;
    tracked.lastResponse = { raw, target };
    if (status < 200 && !tracked.proceeding) {
      // Answered with a provisional: the core is working on it (a phone may ring for minutes).
      tracked.proceeding = true;
      this.guard(tracked, PROCEEDING_LIFETIME_MS);
    }
    try {
      tracked.transaction.responded(status);
    } catch (error) {
      // A response the state machine has no move for (a provisional after the final, say): it
      // goes out as the core sent it, tracked no further.
      if (!(error instanceof IllegalTransactionMoveError)) throw error;
      return repeat;
    }
    // From the final response on, the transaction's own timers decide when it ends.
    if (status >= 200) this.unguard(tracked);
    return repeat;
  }

  /** Drops the transaction of a request answered statelessly (see ReliableSocket.send). */
  forget(branch: string, method: string): void {
    const key = `${branch}|${method}`;
    const tracked = this.transactions.get(key);
    if (!tracked) return;
    this.unguard(tracked);
    this.transactions.delete(key);
    tracked.transaction.abandon();
  }

  terminated(key: string): void {
    const tracked = this.transactions.get(key);
    if (tracked) this.unguard(tracked);
    this.transactions.delete(key);
  }

  clear(): void {
    for (const tracked of this.transactions.values()) tracked.transaction.abandon();
    this.transactions.clear();
    this.acksFor2xx.clear();
  }

  private receiveAck(branch: string): ReceiveVerdict {
    const tracked = this.transactions.get(`${branch}|INVITE`);
    // An ACK for a 2xx has a branch of its own: it belongs to the dialog, pass it up — every copy,
    // since a proxy must forward a re-sent ACK whose first copy was lost further on; the copies
    // are marked as retransmissions.
    if (!tracked) return { deliver: true, retransmission: this.acksFor2xx.repeat(branch) };
    const transaction = tracked.transaction as InviteServerTransaction;
    if (transaction.state !== InviteServerState.Completed && transaction.state !== InviteServerState.Confirmed) {
      return { deliver: true, retransmission: false };
    }
    // Completed: the first ACK stops Timer G and goes up once; Confirmed absorbs the copies.
    const verdict = transaction.receive('ACK');
    return { deliver: verdict === 'pass', retransmission: verdict !== 'pass' };
  }

  private guard(tracked: Tracked, ms: number): void {
    this.unguard(tracked);
    tracked.guard = this.clock.setTimeout(() => {
      tracked.guard = undefined;
      tracked.transaction.abandon();
    }, ms);
  }

  private unguard(tracked: Tracked): void {
    if (tracked.guard !== undefined) this.clock.clearTimeout(tracked.guard);
    tracked.guard = undefined;
  }
}
