import { contactExpires, getHeader, getHeaderValues, parseCSeq, uriOf } from '../sip/message/headers.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import { authenticate } from './authenticate.js';
import type { ProxyContext } from './proxy-context.js';
import type { Hop } from './proxy-wire.js';
import { parseSipUri } from './sip-uri.js';

/**
 * REGISTER processing (RFC 3261 §10.3), the way iptel.org behaves in the lab captures:
 * REGISTER → 401 → REGISTER with Authorization → 200 OK listing the bindings. The AOR is the
 * To user in our domain; the credentials must be that user's (a user may not register
 * someone else, §10.3 step 6). Bindings remember the flow the REGISTER came over.
 */
export function handleRegister(ctx: ProxyContext, request: SipRequest, hop: Hop): void {
  const toUri = parseSipUri(uriOf(getHeader(request, 'to') ?? ''));
  if (!toUri?.user) {
    ctx.reply(request, hop, 400, 'Bad Request (To has no user)', { toTag: ctx.newTag() });
    return;
  }
  const username = authenticate(ctx, request, hop, 'registrar');
  if (username === undefined) return;
  const user = toUri.user;
  if (username !== user) {
    ctx.reply(request, hop, 403, 'Forbidden (credentials are not for the To user)', { toTag: ctx.newTag() });
    return;
  }
  if (!ctx.options.users.has(user)) {
    ctx.reply(request, hop, 404, 'Not Found', { toTag: ctx.newTag() });
    return;
  }
  const contacts = getHeaderValues(request, 'contact');
  const expiresHeader = getHeader(request, 'expires');
  const headerExpires = expiresHeader !== undefined && /^\d+$/.test(expiresHeader.trim()) ? Number(expiresHeader) : undefined;
  const callId = getHeader(request, 'call-id') ?? '';
  const cseq = parseCSeq(request).seq;

  if (contacts.some((c) => c.trim() === '*')) {
    // §10.3 step 6: `*` only with Expires: 0 and no other contact.
    if (headerExpires !== 0 || contacts.length !== 1) {
      ctx.reply(request, hop, 400, 'Bad Request (Contact: * needs Expires: 0 and no other contact)', { toTag: ctx.newTag() });
      return;
    }
    ctx.location.removeAll(user);
  } else {
    const bindings: { uri: string; requested: number }[] = [];
    for (const contact of contacts) {
      const uri = uriOf(contact);
      if (!parseSipUri(uri)) {
        ctx.reply(request, hop, 400, 'Bad Request (unparsable Contact)', { toTag: ctx.newTag() });
        return;
      }
      bindings.push({ uri, requested: contactExpires(contact) ?? headerExpires ?? ctx.options.defaultExpiresS });
    }
    // §10.3 step 7: a non-zero expiry under the minimum gets 423 with Min-Expires, and no binding
    // of the request is changed (Kamailio's min_expires with min_expires_mode 1).
    const { minExpiresS } = ctx.options;
    if (minExpiresS !== undefined && bindings.some((b) => b.requested > 0 && b.requested < minExpiresS)) {
      ctx.reply(request, hop, 423, 'Interval Too Brief', { toTag: ctx.newTag(), headers: [['Min-Expires', String(minExpiresS)]] });
      return;
    }
    for (const { uri, requested } of bindings) {
      // §10.3 step 7: the registrar may shorten what was asked for (Kamailio's max_expires).
      const expires = Math.min(requested, ctx.options.maxExpiresS ?? Infinity);
      ctx.location.update({ user, contact: uri, socket: hop.socket, flow: hop.flow, callId, cseq }, expires);
    }
  }
  const current = ctx.location.lookup(user).map((b): [string, string] => ['Contact', `<${b.contact}>;expires=${ctx.location.remainingS(b)}`]);
  ctx.options.logger.debug({ user, bindings: current.length }, 'registered');
  ctx.reply(request, hop, 200, 'OK', { toTag: ctx.newTag(), headers: current });
}
