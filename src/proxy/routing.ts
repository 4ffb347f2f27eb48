import { getHeader, getHeaderValues, prependHeader, removeHeaders, setHeader, uriOf } from '../sip/message/headers.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import type { TransportProtocol } from '../sip/transport/types.js';
import { DIALOG_TOKEN_PARAM, dialogToken, isDialogToken } from './dialog-token.js';
import { cloneMessage } from './hop-requests.js';
import type { ProxyContext } from './proxy-context.js';
import type { Hop, Target } from './proxy-wire.js';
import { defaultPort, parseSipUri, uriTransport, type SipUri } from './sip-uri.js';
import { pushVia } from './via.js';

/** The URI names this proxy's domain or one of its listeners (with or without a user). */
export function addressesUs(ctx: ProxyContext, uri: SipUri): boolean {
  return uri.host === ctx.options.domain.toLowerCase() || ctx.wire.isOwnEndpoint(uri.host, uri.port);
}

/** A URI naming the proxy itself (Route, Record-Route, Request-URI of OPTIONS pings): no user. */
export function isOwnUri(ctx: ProxyContext, uri: SipUri): boolean {
  return uri.user === undefined && addressesUs(ctx, uri);
}

/**
 * RFC 3261 §16.4 route information preprocessing. A Request-URI naming us means the previous
 * hop was a strict router: the real target is the last Route value. Then every Route value on
 * top naming us is removed (two of them after a double Record-Route). Returns the transport of
 * the last removed one: it names the listener facing the next hop.
 */
export function preprocessRoutes(ctx: ProxyContext, request: SipRequest): TransportProtocol | undefined {
  const routes = getHeaderValues(request, 'route');
  const requestUri = parseSipUri(request.uri);
  if (requestUri && isOwnUri(ctx, requestUri) && routes.length > 0) {
    request.uri = uriOf(routes.pop()!);
  }
  let hint: TransportProtocol | undefined;
  while (routes.length > 0) {
    const uri = parseSipUri(uriOf(routes[0]!));
    if (!uri || !isOwnUri(ctx, uri)) break;
    hint = uriTransport(uri) ?? 'udp';
    routes.shift();
  }
  removeHeaders(request, 'route');
  for (const route of routes.reverse()) prependHeader(request, 'route', route);
  return hint;
}

/**
 * How an in-dialog request (To tag, RFC 3261 §12.2) stands with respect to our route set:
 * - `routed`: its first Route (or, after a strict router, its Request-URI, §16.4) names this
 *   proxy and carries the token of its Call-ID: relay it without a challenge, as Kamailio's
 *   has_totag() + loose_route() does;
 * - `forged`: it names this proxy with a missing or wrong token;
 * - `not-routed`: it does not name this proxy at all (no Route, or a Route elsewhere).
 */
export type DialogRouteVerdict = 'routed' | 'forged' | 'not-routed';

export function checkDialogRoute(ctx: ProxyContext, request: SipRequest): DialogRouteVerdict {
  const routes = getHeaderValues(request, 'route');
  const requestUri = parseSipUri(request.uri);
  const strictRouted = requestUri !== undefined && isOwnUri(ctx, requestUri) && routes.length > 0;
  const ours = strictRouted ? requestUri : routes[0] === undefined ? undefined : parseSipUri(uriOf(routes[0]));
  if (!ours || !isOwnUri(ctx, ours)) return 'not-routed';
  const token = ours.params.get(DIALOG_TOKEN_PARAM);
  return isDialogToken(ctx.dialogSecret, getHeader(request, 'call-id') ?? '', token) ? 'routed' : 'forged';
}

/**
 * Where a request for `uriText` goes: the registered phone whose Contact this is (over the flow
 * it registered on, RFC 5626 style), else the URI's own host and port over our listener of the
 * URI's transport (or `hint`, or UDP). Undefined for a host we cannot reach without DNS.
 */
export function resolveTarget(ctx: ProxyContext, uriText: string, hint?: TransportProtocol): Target | undefined {
  const uri = parseSipUri(uriText);
  if (!uri) return undefined;
  const binding = ctx.location.findByContact(uri);
  if (binding) return { socket: binding.socket, flowId: binding.flow.id, remote: binding.flow.remote };
  if (!/^[0-9.]+$|:/.test(uri.host)) return undefined;
  const protocol = uriTransport(uri) ?? hint ?? 'udp';
  const socket = ctx.wire.listener(protocol) ?? ctx.wire.listener(hint ?? 'udp') ?? ctx.wire.listeners[0]!;
  return { socket, remote: { address: uri.host, port: uri.port ?? defaultPort(protocol) } };
}

export interface ForwardPlan {
  forwarded: SipRequest;
  branch: string;
}

/**
 * RFC 3261 §16.6: copy the request, set the Request-URI, decrement Max-Forwards, add
 * Record-Route (once per listener involved: Kamailio's double Record-Route when the caller and
 * callee use different transports, so each side's route set names the listener it can reach),
 * and put our Via on top.
 */
export function planForward(ctx: ProxyContext, inbound: SipRequest, upstream: Hop, target: Target, options: { requestUri?: string; recordRoute: boolean }): ForwardPlan {
  const forwarded = cloneMessage(inbound);
  if (options.requestUri !== undefined) forwarded.uri = options.requestUri;
  const maxForwards = getHeader(forwarded, 'max-forwards');
  setHeader(forwarded, 'max-forwards', String(maxForwards === undefined ? 70 : Number(maxForwards) - 1));
  if (options.recordRoute && ctx.options.recordRoute) {
    const doubled = upstream.socket !== target.socket;
    const token = dialogToken(ctx.dialogSecret, getHeader(inbound, 'call-id') ?? '');
    if (doubled) prependHeader(forwarded, 'record-route', ctx.wire.recordRoute(upstream.socket, true, token));
    prependHeader(forwarded, 'record-route', ctx.wire.recordRoute(target.socket, doubled, token));
  }
  const branch = ctx.newBranch();
  pushVia(forwarded, ctx.wire.via(target.socket, branch));
  return { forwarded, branch };
}
