import type { Clock } from '../../util/clock.js';
import type { TimerPolicy } from './timer-policy.js';
import { IllegalTransactionMoveError } from './transaction-errors.js';
import { TransactionTimers } from './transaction-timers.js';
import type { ClientTransactionUser, ParsedResponse, TransactionOwner, Verdict } from './transaction-user.js';

/**
 * INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) with RFC 6026's Accepted state.
 *
 *                      |INVITE from TU
 *    Timer A fires     |INVITE sent          Timer B fires
 *    Reset A,          V                     or transport error:
 *    INVITE sent +-----------+               inform TU
 *      +---------|  Calling  |------------------------------+
 *      +-------->|           |--------------+               |
 *                +-----------+ 2xx          |               |
 *                   |  |       2xx to TU    |               |
 *                   |  |1xx                 |               |
 *   300-699 +-------+  |1xx to TU           |               |
 *  ACK sent |          V                    |               |
 * resp. to  |     +-----------+             |               |
 *      TU   |     |Proceeding |--1xx to TU  |               |
 *           |     +-----------+             |               |
 *           |  300-699 | |  2xx             |               |
 *           |  ACK sent| |  2xx to TU       V               |
 *           |  to TU   | +---------->+-----------+          |
 *           |          |             | Accepted  |--2xx to TU (the UA re-ACKs, RFC 6026)
 *           V          V             +-----------+          |
 *        +-----------+                     | Timer M        |
 *        | Completed |-- 300-699: ACK sent |                |
 *        +-----------+   again, absorbed   |                |
 *              | Timer D                   |                |
 *              V                           V                |
 *        +-------------------------------------+            |
 *        |             Terminated              |<-----------+
 *        +-------------------------------------+
 *
 * Timer A runs on UDP only; Timer B covers Calling (a callee may ring as long as it likes once
 * Proceeding); Timer D is 32 s on UDP and 0 on reliable transports. While Completed the
 * transaction keeps its key and its user (to re-send the ACK); in Accepted, only its key.
 */
export const InviteClientState = {
  Calling: 'calling',
  Proceeding: 'proceeding',
  Completed: 'completed',
  Accepted: 'accepted',
  Terminated: 'terminated',
} as const;
export type InviteClientState = (typeof InviteClientState)[keyof typeof InviteClientState];

export class InviteClientTransaction {
  private current: InviteClientState = InviteClientState.Calling;
  private readonly timers: TransactionTimers;
  private interval: number;
  private user: ClientTransactionUser | undefined;

  /** The request was just sent by the user: starts Timers A and B. */
  constructor(
    readonly key: string,
    clock: Clock,
    private readonly policy: TimerPolicy,
    private readonly owner: TransactionOwner,
    user: ClientTransactionUser,
  ) {
    this.user = user;
    this.timers = new TransactionTimers(clock);
    this.interval = policy.first;
    if (policy.retransmits) this.timers.start('A', this.interval, () => this.timerA());
    this.timers.start('B', policy.transactionTimeout, () => this.timerB());
  }

  get state(): InviteClientState {
    return this.current;
  }

  /** Pending timers, for tests. */
  pendingTimers(): string[] {
    return this.timers.names();
  }

  /** True while the transaction still references its user (and so the user's messages). */
  holdsUser(): boolean {
    return this.user !== undefined;
  }

  /** A response with this transaction's branch and CSeq method arrived. */
  receive(response: ParsedResponse): Verdict {
    switch (this.current) {
      case InviteClientState.Calling:
        return this.calling(response.status);
      case InviteClientState.Proceeding:
        return this.proceeding(response.status);
      case InviteClientState.Completed:
        return this.completed(response.status);
      case InviteClientState.Accepted:
        return this.accepted(response.status);
      case InviteClientState.Terminated:
        throw new IllegalTransactionMoveError('INVITE client', this.key, this.current, `receive ${response.status}`);
    }
  }

  /** The transport reported the request undeliverable (§17.1.1.2, §8.1.3.1): inform the user as a timeout. */
  transportError(): void {
    if (this.current !== InviteClientState.Calling && this.current !== InviteClientState.Proceeding) return;
    const user = this.user;
    this.terminate();
    user?.timedOut();
  }

  /** Ends the transaction now (the run is over): cancels its timers; no callback. */
  abandon(): void {
    if (this.current !== InviteClientState.Terminated) this.terminate();
  }

  private calling(status: number): Verdict {
    this.timers.cancel('A');
    this.timers.cancel('B');
    if (status < 200) {
      this.current = InviteClientState.Proceeding;
      return 'pass';
    }
    return this.final(status);
  }

  private proceeding(status: number): Verdict {
    return status < 200 ? 'pass' : this.final(status);
  }

  private completed(status: number): Verdict {
    // §17.1.1.3: a retransmitted final response means our ACK was lost: send it again.
    if (status >= 300) this.user?.sendAck?.();
    return 'absorb';
  }

  private accepted(status: number): Verdict {
    // RFC 6026 §8.4: 2xx retransmissions go to the TU, which re-sends its ACK (§13.2.2.4).
    return status >= 200 && status < 300 ? 'pass' : 'absorb';
  }

  private final(status: number): Verdict {
    if (status < 300) {
      this.current = InviteClientState.Accepted;
      // The ACK for a 2xx belongs to the dialog, not to this transaction: keep only the key.
      this.user = undefined;
      this.timers.start('M', this.policy.transactionTimeout, () => this.terminate());
      return 'pass';
    }
    this.current = InviteClientState.Completed;
    this.user?.sendAck?.();
    if (this.policy.d === 0) {
      this.terminate();
      return 'pass';
    }
    this.timers.start('D', this.policy.d, () => this.terminate());
    return 'pass';
  }

  private timerA(): void {
    this.user?.retransmitRequest();
    this.interval = this.policy.nextA(this.interval);
    this.timers.start('A', this.interval, () => this.timerA());
  }

  private timerB(): void {
    const user = this.user;
    this.terminate();
    user?.timedOut();
  }

  private terminate(): void {
    this.current = InviteClientState.Terminated;
    this.timers.cancelAll();
    this.user = undefined;
    this.owner.terminated(this.key);
  }
}
