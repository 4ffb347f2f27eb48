import { getHeader, parseCSeq } from '../sip/message/headers.js';
import { serializeSipMessage } from '../sip/message/serialize-message.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import type { TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { createHopRequest } from './hop-requests.js';
import type { ClientTransactionOwner, InviteServerSide, ProxyContext } from './proxy-context.js';
import { IllegalRelayTransitionError } from './proxy-errors.js';
import { targetOf, type Hop, type Target } from './proxy-wire.js';
import { popVia } from './via.js';

/**
 * One INVITE forwarded statefully (RFC 3261 §16.6–§16.10), both its server side towards the
 * caller and its client side towards the callee. No forking: one branch per relay.
 *
 *            1xx (not 100: forwarded)       non-2xx final: ACK down, forward up
 *   trying ──────────────────▶ proceeding ─────────────────────────────▶ completed ──┐
 *     │ ╲ final                  │   ╲ 2xx: forward up (copies too)                  │
 *     │  ╲───────────────────────┼────╲─────────────────────────────────▶ accepted ──┤ linger
 *     │ fr_timer: 408 up         │ fr_inv_timer: CANCEL down, 408 up       ▲          │ (64·T1)
 *     ╰─────────▶ timed-out ◀────╯                         late 2xx ───────╯          ▼
 *                 (late 1xx: CANCEL down; late non-2xx: ACK down, absorbed)      terminated
 */
export type InviteRelayState = 'trying' | 'proceeding' | 'completed' | 'accepted' | 'timed-out' | 'terminated';

const LEGAL: Readonly<Record<InviteRelayState, readonly InviteRelayState[]>> = {
  trying: ['proceeding', 'completed', 'accepted', 'timed-out', 'terminated'],
  proceeding: ['completed', 'accepted', 'timed-out', 'terminated'],
  completed: ['terminated'],
  accepted: ['terminated'],
  'timed-out': ['accepted', 'terminated'],
  terminated: [],
};

export interface InviteRelayInit {
  /** The INVITE as received (Via stamped): local responses upstream are built from it. */
  inbound: SipRequest;
  upstream: Hop;
  /** The INVITE as sent downstream: our Via on top, Record-Route, new Request-URI. */
  forwarded: SipRequest;
  branch: string;
  target: Target;
}

export class InviteRelay implements ClientTransactionOwner, InviteServerSide {
  private state: InviteRelayState = 'trying';
  private timer: TimerHandle | undefined;
  private cancelRequested = false;
  private cancelSent = false;
  private downstream: Target;
  private readonly log: Logger;
  private readonly upstreamBranch: string;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly init: InviteRelayInit,
    upstreamBranch: string,
  ) {
    this.downstream = init.target;
    this.upstreamBranch = upstreamBranch;
    this.log = ctx.options.logger.child({ callId: getHeader(init.inbound, 'call-id'), branch: init.branch });
  }

  get currentState(): InviteRelayState {
    return this.state;
  }

  start(): void {
    this.ctx.transactions.add(this.init.branch, this, { branch: this.upstreamBranch, side: this });
    this.arm(this.ctx.options.noResponseTimeoutMs, () => this.onNoResponse());
    this.ctx.wire.send(this.init.target, serializeSipMessage(this.init.forwarded)).then(
      (flow) => {
        // Later CANCEL and ACK must use the connection the INVITE went out on.
        this.downstream = { socket: this.init.target.socket, flowId: flow.id, remote: flow.remote };
      },
      (error: unknown) => {
        // RFC 3261 §16.9: a transport error counts as a 503 from that branch.
        this.log.warn({ err: error, remote: this.init.target.remote }, 'could not forward INVITE');
        if (this.state !== 'trying' && this.state !== 'proceeding') return;
        this.replyUpstream(503, 'Service Unavailable');
        this.transition('completed');
        this.linger();
      },
    );
  }

  onResponse(response: SipResponse): void {
    if (parseCSeq(response).method === 'CANCEL') {
      this.log.debug({ status: response.status }, 'response to our CANCEL absorbed');
      return;
    }
    const status = response.status;
    if (status < 200) this.onProvisional(response);
    else if (status < 300) this.onSuccess(response);
    else this.onFailure(response);
  }

  cancel(): void {
    this.cancelRequested = true;
    // RFC 3261 §9.1: no CANCEL before a provisional response; it goes out when one arrives.
    if (this.state === 'proceeding') this.sendCancel();
  }

  absorbsAck(): boolean {
    return this.state === 'completed' || this.state === 'timed-out';
  }

  stop(): void {
    this.disarm();
    this.state = 'terminated';
  }

  private onProvisional(response: SipResponse): void {
    if (this.state === 'trying') {
      this.transition('proceeding');
      // Kamailio semantics: fr_inv_timer replaces fr_timer once the callee has shown life.
      this.arm(this.ctx.options.inviteTimeoutMs, () => this.onInviteTimeout());
    }
    // RFC 3261 §16.7 step 5: 100 Trying is hop-by-hop and never forwarded.
    if (response.status > 100 && this.state === 'proceeding') this.forwardUpstream(response);
    // A CANCEL waiting for this provisional, or a late one after we already answered 408.
    if ((this.cancelRequested || this.state === 'timed-out') && !this.cancelSent) this.sendCancel();
  }

  private onSuccess(response: SipResponse): void {
    // §16.7 step 5: every 2xx goes upstream, retransmissions included, even after we gave up.
    this.forwardUpstream(response);
    if (this.state === 'trying' || this.state === 'proceeding' || this.state === 'timed-out') {
      this.transition('accepted');
      this.linger();
    }
  }

  private onFailure(response: SipResponse): void {
    // §17.1.1.3: the client transaction ACKs a non-2xx final itself, hop by hop, same branch.
    this.ctx.wire.sendLogged(this.downstream, serializeSipMessage(createHopRequest(this.init.forwarded, 'ACK', response)), 'ACK');
    if (this.state === 'trying' || this.state === 'proceeding') {
      if (this.cancelRequested && response.status === 487 && this.ctx.options.cancelledInviteStatus === 408) {
        // What iptel.org did in the seed lab's capture: the caller's CANCEL got 200, its INVITE 408.
        this.log.info('cancelled INVITE answered 408 instead of relaying 487 (cancelledInviteStatus)');
        this.replyUpstream(408, 'Request Timeout');
      } else {
        this.forwardUpstream(response);
      }
      this.transition('completed');
      this.linger();
    } else {
      this.log.debug({ status: response.status, state: this.state }, 'final response absorbed');
    }
  }

  private onNoResponse(): void {
    // fr_timer / Timer B before any provisional (§16.8): answer upstream, no CANCEL (§9.1).
    if (this.cancelRequested) this.replyUpstream(487, 'Request Terminated');
    else this.replyUpstream(408, 'Request Timeout');
    this.transition('timed-out');
    this.linger();
  }

  private onInviteTimeout(): void {
    this.log.info({ ms: this.ctx.options.inviteTimeoutMs }, 'fr_inv_timer fired: CANCEL down, 408 up');
    if (!this.cancelSent) this.sendCancel();
    this.replyUpstream(408, 'Request Timeout');
    this.transition('timed-out');
    this.linger();
  }

  private sendCancel(): void {
    this.cancelSent = true;
    this.ctx.wire.sendLogged(this.downstream, serializeSipMessage(createHopRequest(this.init.forwarded, 'CANCEL')), 'CANCEL');
  }

  private forwardUpstream(response: SipResponse): void {
    popVia(response);
    this.ctx.wire.sendLogged(targetOf(this.init.upstream), serializeSipMessage(response), `${response.status} upstream`);
  }

  private replyUpstream(status: number, reason: string): void {
    this.ctx.reply(this.init.inbound, this.init.upstream, status, reason, { toTag: this.ctx.newTag() });
  }

  /** Keeps the relay matchable for late ACKs, 2xx copies and the callee's 487 (64·T1). */
  private linger(): void {
    this.arm(this.ctx.options.lingerMs, () => {
      this.transition('terminated');
      this.ctx.transactions.remove(this.init.branch);
    });
  }

  private arm(ms: number, callback: () => void): void {
    this.disarm();
    this.timer = this.ctx.options.clock.setTimeout(() => {
      this.timer = undefined;
      callback();
    }, ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.ctx.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private transition(to: InviteRelayState): void {
    if (!LEGAL[this.state].includes(to)) throw new IllegalRelayTransitionError('INVITE', this.state, to);
    this.log.debug({ from: this.state, to }, 'INVITE relay state');
    this.state = to;
  }
}
