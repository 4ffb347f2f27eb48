import { getHeader, getHeaderValues, tagOf, topVia, uriOf } from '../sip/message/headers.js';
import { serializeSipMessage } from '../sip/message/serialize-message.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import type { TransportProtocol } from '../sip/transport/types.js';
import { authenticate } from './authenticate.js';
import { InviteRelay } from './invite-relay.js';
import { NonInviteRelay } from './non-invite-relay.js';
import type { ProxyContext } from './proxy-context.js';
import type { Hop, Target } from './proxy-wire.js';
import { handleRegister } from './registrar.js';
import { addressesUs, checkDialogRoute, isOwnUri, planForward, preprocessRoutes, resolveTarget } from './routing.js';
import { parseSipUri } from './sip-uri.js';
import { stampReceived } from './via.js';

/**
 * Kamailio's consume_credentials(): our realm's Proxy-Authorization is for this hop only, so
 * the callee never sees the caller's digest (RFC 3261 §22.3 lets a proxy remove it).
 */
function consumeCredentials(request: SipRequest, realm: string): void {
  const key = 'proxy-authorization';
  const quoted = `realm="${realm}"`;
  request.headers = request.headers.filter((h) => !(h.key === key && h.value.includes(quoted)));
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, INFO, MESSAGE, SUBSCRIBE, NOTIFY, REFER, PRACK';
/** Requests that may create a dialog, and so are record-routed (RFC 3261 §16.6 step 4). */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

/** Decides what happens to each valid request: absorb, answer, register, or forward. */
export class RequestHandler {
  constructor(private readonly ctx: ProxyContext) {}

  handle(request: SipRequest, hop: Hop): void {
    const branch = topVia(request).branch ?? '';
    if (request.method === 'ACK') return this.onAck(request, hop, branch);
    if (request.method === 'CANCEL') return this.onCancel(request, hop, branch);
    if (request.method === 'INVITE' && this.ctx.transactions.server(branch) !== undefined) {
      // A copy of an INVITE we are already relaying (the reliability layer normally eats these).
      this.ctx.options.logger.debug({ branch }, 'duplicate INVITE ignored');
      return;
    }
    stampReceived(request, hop.flow);
    const inDialog = tagOf(getHeader(request, 'to')) !== undefined;
    const requestUri = parseSipUri(request.uri)!;
    if (!inDialog && request.method === 'REGISTER') return handleRegister(this.ctx, request, hop);
    if (!inDialog && request.method === 'OPTIONS' && isOwnUri(this.ctx, requestUri) && getHeaderValues(request, 'route').length === 0) {
      // A health check addressed to the proxy itself (RFC 3261 §11.2).
      this.ctx.reply(request, hop, 200, 'OK', { toTag: this.ctx.newTag(), headers: [['Allow', ALLOW], ['Accept', 'application/sdp']] });
      return;
    }
    // RFC 3261 §16.3 step 3.
    if (Number(getHeader(request, 'max-forwards') ?? '70') <= 0) {
      this.ctx.reply(request, hop, 483, 'Too Many Hops', { stateless: true });
      return;
    }
    if (inDialog && !this.routedHere(request, hop)) return;
    if (inDialog) this.forwardInDialog(request, hop);
    else this.forwardInitial(request, hop);
  }

  /**
   * RFC 3261 §16.12 / §12.2: in-dialog requests follow the route set and are not challenged;
   * `handle` has checked it is a route set this proxy record-routed (Kamailio's has_totag() +
   * loose_route(), else 404): a To tag alone must not buy an unauthenticated relay.
   */
  private forwardInDialog(request: SipRequest, hop: Hop): void {
    this.trying(request, hop);
    const hint = preprocessRoutes(this.ctx, request);
    const target = this.nextHop(request, hint);
    if (!target) return this.unresolvable(request, hop);
    // RFC 6665 §4.1.2.4: a subscriber builds its dialog's route set from the first NOTIFY (it may
    // come before the 2xx), so a proxy that record-routed the SUBSCRIBE record-routes NOTIFYs too
    // (as Kamailio's default configuration does). A UA ignores Record-Route on later ones.
    this.relay(request, hop, target, { recordRoute: request.method === 'NOTIFY' });
  }

  private forwardInitial(request: SipRequest, hop: Hop): void {
    const hint = preprocessRoutes(this.ctx, request);
    const requestUri = parseSipUri(request.uri)!;
    const routed = getHeaderValues(request, 'route').length > 0;
    if (!routed && isOwnUri(this.ctx, requestUri)) {
      this.ctx.reply(request, hop, 404, 'Not Found', { stateless: true });
      return;
    }
    const username = authenticate(this.ctx, request, hop, 'proxy');
    if (username === undefined) return;
    // Kamailio's check_from(): the authenticated user may only send as itself.
    if (parseSipUri(uriOf(getHeader(request, 'from')!))?.user !== username) {
      this.ctx.reply(request, hop, 403, 'Forbidden (From does not match the credentials)', { toTag: this.ctx.newTag() });
      return;
    }
    consumeCredentials(request, this.ctx.options.realm);
    this.trying(request, hop);
    if (routed || !addressesUs(this.ctx, requestUri)) {
      const target = this.nextHop(request, hint);
      if (!target) return this.unresolvable(request, hop);
      return this.relay(request, hop, target, { recordRoute: DIALOG_CREATING.has(request.method) });
    }
    // RFC 3261 §16.5: the Request-URI is in our domain, so the location service decides.
    const user = requestUri.user!;
    if (!this.ctx.options.users.has(user)) {
      this.ctx.reply(request, hop, 404, 'Not Found', { toTag: this.ctx.newTag() });
      return;
    }
    // No forking: the most recent registration wins (Kamailio would fork to all of them).
    const binding = this.ctx.location.lookup(user)[0];
    if (!binding) {
      this.ctx.reply(request, hop, 480, 'Temporarily Unavailable', { toTag: this.ctx.newTag() });
      return;
    }
    const target: Target = { socket: binding.socket, flowId: binding.flow.id, remote: binding.flow.remote };
    this.relay(request, hop, target, { recordRoute: DIALOG_CREATING.has(request.method), requestUri: binding.contact });
  }

  private relay(request: SipRequest, hop: Hop, target: Target, options: { recordRoute: boolean; requestUri?: string }): void {
    const { forwarded, branch } = planForward(this.ctx, request, hop, target, options);
    if (request.method === 'INVITE') {
      new InviteRelay(this.ctx, { inbound: request, upstream: hop, forwarded, branch, target }, topVia(request).branch ?? '').start();
    } else {
      new NonInviteRelay(this.ctx, request, hop, forwarded, branch, target).start();
    }
  }

  /**
   * An ACK with the branch of an INVITE that got a non-2xx final here belongs to that
   * transaction and stops at this hop (RFC 3261 §17.2.1); an ACK for a 2xx is a new
   * transaction of its own (§13.2.2.4) and is forwarded statelessly along the route set.
   */
  private onAck(request: SipRequest, hop: Hop, branch: string): void {
    const server = this.ctx.transactions.server(branch);
    if (server?.absorbsAck() || this.ctx.transactions.wasAnsweredLocally(branch)) return;
    // The ACK for a stateless challenge or refusal: it ends here, nothing to keep (§17.2.1).
    if (tagOf(getHeader(request, 'to')) === this.ctx.statelessTag) return;
    if (tagOf(getHeader(request, 'to')) === undefined) {
      this.ctx.options.logger.debug({ branch }, 'dropped ACK matching no transaction');
      return;
    }
    if (!this.routedHere(request, hop)) return;
    stampReceived(request, hop.flow);
    const hint = preprocessRoutes(this.ctx, request);
    const target = this.nextHop(request, hint);
    if (!target) {
      this.ctx.options.logger.info({ uri: request.uri }, 'dropped ACK for an unresolvable target');
      return;
    }
    const { forwarded } = planForward(this.ctx, request, hop, target, { recordRoute: false });
    this.ctx.wire.sendLogged(target, serializeSipMessage(forwarded), 'ACK');
  }

  /** RFC 3261 §9.2 / §16.10: 200 for the CANCEL at once, then cancel the pending branch. */
  private onCancel(request: SipRequest, hop: Hop, branch: string): void {
    const server = this.ctx.transactions.server(branch);
    if (!server && !this.ctx.transactions.wasAnsweredLocally(branch)) {
      this.ctx.reply(request, hop, 481, 'Call/Transaction Does Not Exist', { toTag: this.ctx.newTag() });
      return;
    }
    this.ctx.reply(request, hop, 200, 'OK', { toTag: this.ctx.newTag() });
    server?.cancel();
  }

  /**
   * Whether an in-dialog request came along our own Record-Route; if not it is refused here:
   * 403 when it names us with a forged or stale dialog token, 404 when it does not name us at
   * all (Kamailio's "404 Not here"). An ACK is never answered (RFC 3261 §17), only dropped.
   */
  private routedHere(request: SipRequest, hop: Hop): boolean {
    const verdict = checkDialogRoute(this.ctx, request);
    if (verdict === 'routed') return true;
    this.ctx.options.logger.info({ method: request.method, callId: getHeader(request, 'call-id'), verdict, remote: hop.flow.remote }, 'refused in-dialog request not record-routed here');
    if (request.method === 'ACK') return false;
    if (verdict === 'forged') this.ctx.reply(request, hop, 403, 'Forbidden (Route not record-routed by this proxy)', { stateless: true });
    else this.ctx.reply(request, hop, 404, 'Not Here', { stateless: true });
    return false;
  }

  /**
   * §16.2 / §16.7: a stateful proxy answers INVITE with 100 at once, but only once it takes the
   * INVITE on (authenticated, or in a dialog it routes). iptel.org sent 100 even before its 407;
   * here the challenge is stateless and never re-sent, and a 100 would stop the caller's own
   * INVITE retransmissions (Timer A), so a lost 407 would leave the call waiting for Timer B.
   */
  private trying(request: SipRequest, hop: Hop): void {
    if (request.method === 'INVITE') this.ctx.reply(request, hop, 100, 'Trying');
  }

  private nextHop(request: SipRequest, hint: TransportProtocol | undefined): Target | undefined {
    const route = getHeaderValues(request, 'route')[0];
    return resolveTarget(this.ctx, route !== undefined ? uriOf(route) : request.uri, hint);
  }

  private unresolvable(request: SipRequest, hop: Hop): void {
    // Kamailio's reply when a next hop has no address it can reach (no DNS in the lab).
    if (request.method === 'ACK') return;
    this.ctx.reply(request, hop, 478, 'Unresolvable Destination', { toTag: this.ctx.newTag() });
  }
}
