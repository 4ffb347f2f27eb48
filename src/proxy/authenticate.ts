import { headerKey, type SipRequest } from '../sip/message/sip-message.js';
import type { ProxyContext } from './proxy-context.js';
import type { Hop } from './proxy-wire.js';

/** Registrars challenge with 401/WWW-Authenticate, proxies with 407/Proxy-Authenticate (RFC 3261 §22.1–22.3). */
export type AuthRole = 'registrar' | 'proxy';

const HEADERS = {
  registrar: { credentials: 'authorization', challenge: 'WWW-Authenticate', status: 401, reason: 'Unauthorized' },
  proxy: { credentials: 'proxy-authorization', challenge: 'Proxy-Authenticate', status: 407, reason: 'Proxy Authentication Required' },
} as const;

/**
 * Checks the request's digest credentials; returns the authenticated username, or undefined
 * after having answered the request itself, statelessly (Kamailio's sl: one reply per request,
 * never re-sent, nothing kept for a sender that may be forged):
 * - no credentials for our realm, or a nonce we did not mint → 401/407 with a fresh challenge;
 * - a correct response with an expired nonce → 401/407 with `stale=true` (RFC 7616 §3.3);
 * - a wrong response or an unknown user, with a nonce that is ours and fresh → 403 Forbidden.
 *   iptel.org answers 401/407 again here; RFC 3261 §22.3 allows both, and 403 makes a bad
 *   password show up at once in a lab run instead of as an endless challenge loop;
 * - unparsable credentials → 400 (RFC 3261 §8.2, a sender that gets no answer retries forever).
 */
export function authenticate(ctx: ProxyContext, request: SipRequest, hop: Hop, role: AuthRole): string | undefined {
  const names = HEADERS[role];
  const key = headerKey(names.credentials);
  const values = request.headers.filter((h) => h.key === key).map((h) => h.value);
  const verdict = ctx.verifier.verify(values, request.method, request.body);
  const challenge = (stale: boolean) =>
    ctx.reply(request, hop, names.status, names.reason, {
      stateless: true,
      headers: ctx.verifier.challenges(stale).map((value): [string, string] => [names.challenge, value]),
    });
  switch (verdict.kind) {
    case 'ok':
      return verdict.username;
    case 'missing':
    case 'unknown-nonce':
      challenge(false);
      return undefined;
    case 'stale':
      challenge(true);
      return undefined;
    case 'unknown-user':
    case 'wrong-response':
      ctx.options.logger.info({ user: verdict.username, method: request.method, verdict: verdict.kind }, 'digest check failed');
      ctx.reply(request, hop, 403, 'Forbidden', { stateless: true });
      return undefined;
    case 'malformed':
      ctx.reply(request, hop, 400, `Bad Request (${verdict.reason})`, { stateless: true });
      return undefined;
  }
}
