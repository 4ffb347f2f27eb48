import type { Clock } from '../../util/clock.js';
import type { TimerPolicy } from './timer-policy.js';
import { IllegalTransactionMoveError } from './transaction-errors.js';
import { TransactionTimers } from './transaction-timers.js';
import type { ClientTransactionUser, ParsedResponse, TransactionOwner, Verdict } from './transaction-user.js';

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6).
 *
 *                                    |Request from TU
 *                                    |send request
 *                Timer E             V
 *                send request  +-----------+
 *                    +---------|           |-------------------+
 *                    |         |  Trying   |  Timer F          |
 *                    +-------->|           |  or Transport Err.|
 *                              +-----------+  inform TU        |
 *                 200-699         |  |                         |
 *                 resp. to TU     |  |1xx                      |
 *                 +---------------+  |resp. to TU              |
 *                 |                  |                         |
 *                 |   Timer E        V       Timer F           |
 *                 |   send req +-----------+ or Transport Err. |
 *                 |  +---------|           | inform TU         |
 *                 |  |         |Proceeding |------------------>|
 *                 |  +-------->|           |-----+             |
 *                 |            +-----------+     |1xx          |
 *                 |              |      ^        |resp to TU   |
 *                 | 200-699      |      +--------+             |
 *                 | resp. to TU  |                             |
 *                 |              |                             |
 *                 |              V                             |
 *                 |            +-----------+                   |
 *                 |            |           |                   |
 *                 |            | Completed | responses absorbed|
 *                 |            |           |                   |
 *                 |            +-----------+                   |
 *                 |              ^   |                         |
 *                 |              |   | Timer K                 |
 *                 +--------------+   | -                       |
 *                                    |                         |
 *                                    V                         |
 *              NOTE:           +-----------+                   |
 *                              |           |                   |
 *          transitions         | Terminated|<------------------+
 *          labeled with        |           |
 *          the event           +-----------+
 *          over the action
 *          to take
 *
 * Timer E runs on UDP only: T1 doubling to T2 in Trying, T2 in Proceeding. Timer K is T4 on
 * UDP, 0 on reliable transports; while it runs the transaction keeps nothing but its key.
 */
export const NonInviteClientState = {
  Trying: 'trying',
  Proceeding: 'proceeding',
  Completed: 'completed',
  Terminated: 'terminated',
} as const;
export type NonInviteClientState = (typeof NonInviteClientState)[keyof typeof NonInviteClientState];

export class NonInviteClientTransaction {
  private current: NonInviteClientState = NonInviteClientState.Trying;
  private readonly timers: TransactionTimers;
  private interval: number;
  private user: ClientTransactionUser | undefined;

  /** The request was just sent by the user: starts Timers E and F. */
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
    if (policy.retransmits) this.timers.start('E', this.interval, () => this.timerE());
    this.timers.start('F', policy.transactionTimeout, () => this.timerF());
  }

  get state(): NonInviteClientState {
    return this.current;
  }

  pendingTimers(): string[] {
    return this.timers.names();
  }

  holdsUser(): boolean {
    return this.user !== undefined;
  }

  receive(response: ParsedResponse): Verdict {
    switch (this.current) {
      case NonInviteClientState.Trying:
        return this.trying(response.status);
      case NonInviteClientState.Proceeding:
        return this.proceeding(response.status);
      case NonInviteClientState.Completed:
        // Retransmissions of the final response (§17.1.2.2): absorbed.
        return 'absorb';
      case NonInviteClientState.Terminated:
        throw new IllegalTransactionMoveError('non-INVITE client', this.key, this.current, `receive ${response.status}`);
    }
  }

  transportError(): void {
    if (this.current === NonInviteClientState.Completed || this.current === NonInviteClientState.Terminated) return;
    const user = this.user;
    this.terminate();
    user?.timedOut();
  }

  abandon(): void {
    if (this.current !== NonInviteClientState.Terminated) this.terminate();
  }

  private trying(status: number): Verdict {
    if (status >= 200) return this.final();
    this.current = NonInviteClientState.Proceeding;
    // §17.1.2.2: in Proceeding, Timer E fires every T2.
    if (this.policy.retransmits) {
      this.interval = this.policy.proceedingE;
      this.timers.start('E', this.interval, () => this.timerE());
    }
    return 'pass';
  }

  private proceeding(status: number): Verdict {
    return status >= 200 ? this.final() : 'pass';
  }

  private final(): Verdict {
    this.current = NonInviteClientState.Completed;
    this.timers.cancel('E');
    this.timers.cancel('F');
    // Timer K only absorbs retransmitted responses: nothing of the request is needed any more.
    this.user = undefined;
    if (this.policy.iAndK === 0) this.terminate();
    else this.timers.start('K', this.policy.iAndK, () => this.terminate());
    return 'pass';
  }

  private timerE(): void {
    this.user?.retransmitRequest();
    this.interval = this.current === NonInviteClientState.Proceeding ? this.policy.proceedingE : this.policy.nextEorG(this.interval);
    this.timers.start('E', this.interval, () => this.timerE());
  }

  private timerF(): void {
    const user = this.user;
    this.terminate();
    user?.timedOut();
  }

  private terminate(): void {
    this.current = NonInviteClientState.Terminated;
    this.timers.cancelAll();
    this.user = undefined;
    this.owner.terminated(this.key);
  }
}
