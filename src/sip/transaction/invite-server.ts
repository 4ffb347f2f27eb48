import type { Clock } from '../../util/clock.js';
import type { TimerPolicy } from './timer-policy.js';
import { IllegalTransactionMoveError } from './transaction-errors.js';
import { TransactionTimers } from './transaction-timers.js';
import type { ServerTransactionUser, TransactionOwner, Verdict } from './transaction-user.js';

/**
 * INVITE server transaction, RFC 3261 §17.2.1 (Figure 7) with RFC 6026's Accepted state.
 *
 *                               |INVITE
 *                               |pass INV to TU
 *            INVITE             V send 100 if TU won't in 200 ms
 *            send response+-----------+
 *                +--------|           |--------+ 101-199 from TU
 *                |        | Proceeding|        | send response
 *                +------->|           |<-------+
 *                         |           |          Transport Err.
 *                         |           |          Inform TU
 *                         |           |--------------------------------+
 *                         +-----------+                                |
 *            300-699 from TU |     |2xx from TU                        |
 *            send response   |     |send response                      |
 *                            |     +------------------>+-----------+   |
 *                            |                         | Accepted  |   |
 *            INVITE          V          Timer G fires  +-----------+   |
 *            send response+-----------+ send response     | 2xx from TU: sent again
 *                +--------|           |--------+          | INVITE: absorbed
 *                |        | Completed |        |          | ACK: to TU
 *                +------->|           |<-------+          | Timer L
 *                         +-----------+                   |            |
 *                            |     |                      |            |
 *                        ACK |     | Timer H fires        |            |
 *                        -   |     | or Transport Err.    |            |
 *                            V     | Inform TU            |            |
 *                         +-----------+                   |            |
 *                         | Confirmed | ACK, INVITE:      |            |
 *                         +-----------+ absorbed          |            |
 *                               | Timer I fires           |            |
 *                               V                         V            |
 *                         +--------------------------------------+     |
 *                         |              Terminated              |<----+
 *                         +--------------------------------------+
 *
 * Timer G (UDP only) re-sends a 300–699 at T1 doubling to T2 until the ACK; Timer H gives up
 * at 64·T1; Timer I is T4 on UDP, 0 on reliable transports. The TU sends every response
 * itself and reports it with `responded()`; the transaction asks it to re-send the latest one.
 */
export const InviteServerState = {
  Proceeding: 'proceeding',
  Completed: 'completed',
  Confirmed: 'confirmed',
  Accepted: 'accepted',
  Terminated: 'terminated',
} as const;
export type InviteServerState = (typeof InviteServerState)[keyof typeof InviteServerState];

export class InviteServerTransaction {
  private current: InviteServerState = InviteServerState.Proceeding;
  private readonly timers: TransactionTimers;
  private interval: number;
  private answered = false;
  private user: ServerTransactionUser | undefined;

  /** The INVITE just arrived and is being passed to the user. */
  constructor(
    readonly key: string,
    clock: Clock,
    private readonly policy: TimerPolicy,
    private readonly owner: TransactionOwner,
    user: ServerTransactionUser,
  ) {
    this.user = user;
    this.timers = new TransactionTimers(clock);
    this.interval = policy.first;
  }

  get state(): InviteServerState {
    return this.current;
  }

  pendingTimers(): string[] {
    return this.timers.names();
  }

  holdsUser(): boolean {
    return this.user !== undefined;
  }

  /** The user sent a response to the INVITE. Throws when the state allows no response. */
  responded(status: number): void {
    switch (this.current) {
      case InviteServerState.Proceeding:
        return this.respondProceeding(status);
      case InviteServerState.Accepted:
        // RFC 6026 §8.7: the TU re-sends its 2xx itself until the ACK; nothing else may follow.
        if (status >= 200 && status < 300) return;
        break;
      default:
        break;
    }
    throw new IllegalTransactionMoveError('INVITE server', this.key, this.current, `send ${status}`);
  }

  /** A request with this transaction's branch arrived: a retransmitted INVITE or the ACK. */
  receive(method: 'INVITE' | 'ACK'): Verdict {
    switch (this.current) {
      case InviteServerState.Proceeding:
        return this.receiveProceeding(method);
      case InviteServerState.Completed:
        return this.receiveCompleted(method);
      case InviteServerState.Confirmed:
        // §17.2.1: further ACKs and INVITEs are absorbed.
        return 'absorb';
      case InviteServerState.Accepted:
        // RFC 6026 §8.7: a retransmitted INVITE is absorbed (the TU's 2xx retransmissions answer
        // it); an ACK goes to the TU.
        return method === 'ACK' ? 'pass' : 'absorb';
      case InviteServerState.Terminated:
        throw new IllegalTransactionMoveError('INVITE server', this.key, this.current, `receive ${method}`);
    }
  }

  transportError(): void {
    if (this.current === InviteServerState.Terminated) return;
    const user = this.user;
    this.terminate();
    user?.timedOut?.();
  }

  abandon(): void {
    if (this.current !== InviteServerState.Terminated) this.terminate();
  }

  private respondProceeding(status: number): void {
    this.answered = true;
    if (status < 200) return;
    if (status < 300) {
      this.current = InviteServerState.Accepted;
      // The TU owns the 2xx and its retransmissions: keep only the key.
      this.user = undefined;
      this.timers.start('L', this.policy.transactionTimeout, () => this.terminate());
      return;
    }
    this.current = InviteServerState.Completed;
    if (this.policy.retransmits) this.timers.start('G', this.interval, () => this.timerG());
    this.timers.start('H', this.policy.transactionTimeout, () => this.timerH());
  }

  private receiveProceeding(method: 'INVITE' | 'ACK'): Verdict {
    // §17.2.1: a retransmitted INVITE gets the most recent provisional again, if any.
    if (method === 'INVITE' && this.answered) this.user?.retransmitResponse();
    return 'absorb';
  }

  private receiveCompleted(method: 'INVITE' | 'ACK'): Verdict {
    if (method === 'INVITE') {
      this.user?.retransmitResponse();
      return 'absorb';
    }
    this.current = InviteServerState.Confirmed;
    this.timers.cancel('G');
    this.timers.cancel('H');
    // Confirmed only absorbs ACK copies: the response is no longer needed.
    this.user = undefined;
    if (this.policy.iAndK === 0) this.terminate();
    else this.timers.start('I', this.policy.iAndK, () => this.terminate());
    // The first ACK is handed up once: a TU with transaction state of its own (sip.js) expects it.
    return 'pass';
  }

  private timerG(): void {
    this.user?.retransmitResponse();
    this.interval = this.policy.nextEorG(this.interval);
    this.timers.start('G', this.interval, () => this.timerG());
  }

  private timerH(): void {
    const user = this.user;
    this.terminate();
    user?.timedOut?.();
  }

  private terminate(): void {
    this.current = InviteServerState.Terminated;
    this.timers.cancelAll();
    this.user = undefined;
    this.owner.terminated(this.key);
  }
}
