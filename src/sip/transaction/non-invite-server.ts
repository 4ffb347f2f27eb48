import type { Clock } from '../../util/clock.js';
import type { TimerPolicy } from './timer-policy.js';
import { IllegalTransactionMoveError } from './transaction-errors.js';
import { TransactionTimers } from './transaction-timers.js';
import type { ServerTransactionUser, TransactionOwner, Verdict } from './transaction-user.js';

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8).
 *
 *                                   |Request received
 *                                   |pass to TU
 *                                   V
 *                             +-----------+
 *                             |           |
 *                             | Trying    |-------------+
 *                             |           |             |
 *                             +-----------+             |200-699 from TU
 *                                   |                   |send response
 *                                   |1xx from TU        |
 *                                   |send response      |
 *                                   |                   |
 *                Request            V      1xx from TU  |
 *                send response+-----------+send response|
 *                    +--------|           |--------+    |
 *                    |        | Proceeding|        |    |
 *                    +------->|           |<-------+    |
 *             +<--------------|           |             |
 *             |Trnsprt Err    +-----------+             |
 *             |Inform TU            |                   |
 *             |                     |                   |
 *             |                     |200-699 from TU    |
 *             |                     |send response      |
 *             |  Request            V                   |
 *             |  send response+-----------+             |
 *             |      +--------|           |             |
 *             |      |        | Completed |<------------+
 *             |      +------->|           |
 *             +<--------------|           |
 *             |Trnsprt Err    +-----------+
 *             |Inform TU            |
 *             |                     |Timer J fires
 *             |                     |-
 *             |                     |
 *             |                     V
 *             |               +-----------+
 *             |               |           |
 *             +-------------->| Terminated|
 *                             |           |
 *                             +-----------+
 *
 * Timer J is 64·T1 on UDP, 0 on reliable transports. While it runs the transaction keeps its
 * key and its user, which re-sends the final response to each retransmitted request.
 */
export const NonInviteServerState = {
  Trying: 'trying',
  Proceeding: 'proceeding',
  Completed: 'completed',
  Terminated: 'terminated',
} as const;
export type NonInviteServerState = (typeof NonInviteServerState)[keyof typeof NonInviteServerState];

export class NonInviteServerTransaction {
  private current: NonInviteServerState = NonInviteServerState.Trying;
  private readonly timers: TransactionTimers;
  private user: ServerTransactionUser | undefined;

  constructor(
    readonly key: string,
    clock: Clock,
    private readonly policy: TimerPolicy,
    private readonly owner: TransactionOwner,
    user: ServerTransactionUser,
  ) {
    this.user = user;
    this.timers = new TransactionTimers(clock);
  }

  get state(): NonInviteServerState {
    return this.current;
  }

  pendingTimers(): string[] {
    return this.timers.names();
  }

  holdsUser(): boolean {
    return this.user !== undefined;
  }

  responded(status: number): void {
    switch (this.current) {
      case NonInviteServerState.Trying:
      case NonInviteServerState.Proceeding:
        return this.respond(status);
      case NonInviteServerState.Completed:
      case NonInviteServerState.Terminated:
        throw new IllegalTransactionMoveError('non-INVITE server', this.key, this.current, `send ${status}`);
    }
  }

  /** The same request again (a retransmission). */
  receive(): Verdict {
    switch (this.current) {
      case NonInviteServerState.Trying:
        // §17.2.2: no response yet, nothing to send: the retransmission is discarded.
        return 'absorb';
      case NonInviteServerState.Proceeding:
      case NonInviteServerState.Completed:
        this.user?.retransmitResponse();
        return 'absorb';
      case NonInviteServerState.Terminated:
        throw new IllegalTransactionMoveError('non-INVITE server', this.key, this.current, 'receive a retransmission');
    }
  }

  transportError(): void {
    if (this.current === NonInviteServerState.Terminated) return;
    const user = this.user;
    this.terminate();
    user?.timedOut?.();
  }

  abandon(): void {
    if (this.current !== NonInviteServerState.Terminated) this.terminate();
  }

  private respond(status: number): void {
    if (status < 200) {
      this.current = NonInviteServerState.Proceeding;
      return;
    }
    this.current = NonInviteServerState.Completed;
    if (this.policy.j === 0) this.terminate();
    else this.timers.start('J', this.policy.j, () => this.terminate());
  }

  private terminate(): void {
    this.current = NonInviteServerState.Terminated;
    this.timers.cancelAll();
    this.user = undefined;
    this.owner.terminated(this.key);
  }
}
