import { getHeader } from '../sip/message/headers.js';
import { serializeSipMessage } from '../sip/message/serialize-message.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import type { TimerHandle } from '../util/clock.js';
import type { ClientTransactionOwner, ProxyContext } from './proxy-context.js';
import { IllegalRelayTransitionError } from './proxy-errors.js';
import { targetOf, type Hop, type Target } from './proxy-wire.js';
import { popVia } from './via.js';

/**
 * A non-INVITE request (BYE, MESSAGE, OPTIONS to a user, re-routed UPDATE…) forwarded
 * statefully (RFC 3261 §16.6–§16.7, §17.1.2):
 *
 *   trying ──1xx (not 100: forwarded)──▶ proceeding ──final: forward up──▶ terminated
 *     ╰──────── final: forward up ──────────────────────────────────────────▲
 *     ╰──────── Timer F (no final in 64·T1): 408 up ─────────────────────────╯
 */
export type NonInviteRelayState = 'trying' | 'proceeding' | 'terminated';

export class NonInviteRelay implements ClientTransactionOwner {
  private state: NonInviteRelayState = 'trying';
  private timer: TimerHandle | undefined;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly inbound: SipRequest,
    private readonly upstream: Hop,
    private readonly forwarded: SipRequest,
    private readonly branch: string,
    private readonly target: Target,
  ) {}

  start(): void {
    this.ctx.transactions.add(this.branch, this);
    this.timer = this.ctx.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.ctx.options.logger.info({ method: this.inbound.method, callId: getHeader(this.inbound, 'call-id') }, 'Timer F: 408 upstream');
      this.finish();
      this.ctx.reply(this.inbound, this.upstream, 408, 'Request Timeout', { toTag: this.ctx.newTag() });
    }, this.ctx.options.noResponseTimeoutMs);
    this.ctx.wire.send(this.target, serializeSipMessage(this.forwarded)).catch((error: unknown) => {
      // RFC 3261 §16.9: a transport error is treated as a 503 from the next hop.
      this.ctx.options.logger.warn({ err: error, method: this.inbound.method, remote: this.target.remote }, 'could not forward request');
      if (this.state === 'terminated') return;
      this.finish();
      this.ctx.reply(this.inbound, this.upstream, 503, 'Service Unavailable', { toTag: this.ctx.newTag() });
    });
  }

  onResponse(response: SipResponse): void {
    if (this.state === 'terminated') return;
    if (response.status === 100) return;
    popVia(response);
    this.ctx.wire.sendLogged(targetOf(this.upstream), serializeSipMessage(response), `${response.status} upstream`);
    if (response.status < 200) this.transition('proceeding');
    else this.finish();
  }

  stop(): void {
    if (this.timer !== undefined) this.ctx.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'terminated';
  }

  private finish(): void {
    this.transition('terminated');
    this.stop();
    this.ctx.transactions.remove(this.branch);
  }

  private transition(to: NonInviteRelayState): void {
    if (to === this.state && to === 'proceeding') return;
    const legal = this.state === 'trying' || (this.state === 'proceeding' && to === 'terminated');
    if (!legal) throw new IllegalRelayTransitionError('non-INVITE', this.state, to);
    this.state = to;
  }
}
