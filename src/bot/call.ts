import type { EventStream } from '../events/event-stream.js';
import type { RequestContent } from '../sip/ua/request-content.js';
import type { ResponseLine } from '../sip/ua/response-line.js';
import type { TransferResult } from '../sip/ua/transfer.js';
import type { OfferResult } from '../sip/ua/session-update.js';
import type { SessionDescriptionHandlerOptions } from '../sip/ua/session-description-handler.js';
import type { CallState } from '../events/types.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { checkTransition, isActive } from './call-state.js';

export type CallRole = 'caller' | 'callee';

/** Who ended the call, as far as this bot can tell. */
export type CallEnd = 'local' | 'remote';

/**
 * One call as one bot plays it. Holds the state machine, the final status and the timers the
 * bot's behaviour set (cancel, answer, hang up); `hangup` is wired by the bot to the right SIP
 * action for the state (CANCEL while ringing, BYE once confirmed).
 */
export class Call {
  private current: CallState = 'idle';
  private readonly timers: TimerHandle[] = [];
  private readonly waiters: Array<{ states: CallState[]; resolve: () => void }> = [];
  /** Final status of the INVITE as this bot saw it (sent by a callee, received by a caller). */
  finalStatus: number | undefined;
  finalReason: string | undefined;
  endedBy: CallEnd | undefined;
  answeredAt: number | undefined;
  /** The other party's URI: the To of our INVITE, or the From of the one we received. */
  remoteUri: string | undefined;
  /** Every state this call has been in, in order (an `await` asks whether it ever rang). */
  readonly history: CallState[] = ['idle'];
  hangup: () => Promise<void> = async () => {};
  /** Re-INVITE: a=sendonly puts the peer on hold, a=sendrecv resumes (RFC 3264 §8.4). Wired by the bot (call-media-control). */
  setHold: (hold: boolean) => Promise<void> = () => Promise.reject(new Error(`call ${this.callId} cannot be put on hold yet`));
  /** A new offer (codecs, direction) by re-INVITE or UPDATE (RFC 3311); resolves with the final response and its answer. Wired by the bot. */
  renegotiate: (method: 'INVITE' | 'UPDATE', offer: SessionDescriptionHandlerOptions) => Promise<OfferResult> = () =>
    Promise.reject(new Error(`call ${this.callId} cannot renegotiate yet`));
  /** INFO in the dialog (RFC 6086), e.g. application/dtmf-relay; resolves with the final response. Wired by the bot. */
  sendInfo: (content: RequestContent) => Promise<ResponseLine> = () => Promise.reject(new Error(`call ${this.callId} cannot send INFO yet`));
  /** REFER to a URI (blind), or to the far end of another call with Replaces (attended); resolves with the final status the transferee reports. Wired by the bot. */
  transfer: (target: string | Call, content: RequestContent) => Promise<TransferResult> = () => Promise.reject(new Error(`call ${this.callId} cannot transfer yet`));
  /** RFC 4733 telephone-events on this call's RTP; resolves once every digit is out. Wired by the bot. */
  sendDtmf: (digits: string) => Promise<void> = () => Promise.reject(new Error(`call ${this.callId} cannot send DTMF yet`));

  constructor(
    readonly bot: string,
    readonly role: CallRole,
    readonly callId: string,
    private readonly events: EventStream,
    private readonly clock: Clock,
  ) {}

  get state(): CallState {
    return this.current;
  }

  get active(): boolean {
    return isActive(this.current);
  }

  transition(to: CallState, reason?: string): void {
    const from = this.current;
    if (!checkTransition(this.callId, from, to)) return;
    this.current = to;
    this.history.push(to);
    if (to === 'confirmed') this.answeredAt = this.clock.now();
    if (to === 'terminated') this.clearTimers();
    this.events.emit({ type: 'call-state', at: this.clock.now(), party: this.bot, callId: this.callId, role: this.role, from, to, reason });
    for (const waiter of [...this.waiters]) {
      if (waiter.states.includes(to) || to === 'terminated') {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves when the call reaches one of `states`, or ends (the caller then checks `state`). */
  reach(...states: CallState[]): Promise<void> {
    if (states.includes(this.current) || this.current === 'terminated') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ states, resolve }));
  }

  /** Runs `action` after `ms` unless the call ended first. */
  after(ms: number, action: () => void | Promise<void>): void {
    this.timers.push(
      this.clock.setTimeout(() => {
        if (this.current !== 'terminated') void Promise.resolve(action());
      }, ms),
    );
  }

  private clearTimers(): void {
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.length = 0;
  }
}
