import { DEFAULT_NAT, type BotConfig } from '../../config/bots-schema.js';
import { UaContactTarget } from '../../sip/ua/contact-target.js';
import type { Registration } from '../../sip/ua/registration.js';
import type { Endpoint, SipSocket } from '../../sip/transport/types.js';
import type { SipUserAgent } from '../../sip/ua/user-agent.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { NatTraversal } from './nat-traversal.js';

/** The NAT side of one bot, as `Bot` wires it: built at start, given the registration later. */
export function createBotNat(account: BotConfig, socket: SipSocket, server: Endpoint, clock: Clock, logger: Logger): NatTraversal {
  const settings = account.nat ?? DEFAULT_NAT;
  // UDP only. Over TCP the registrar sees the connection's ephemeral port, never our listening
  // one, so received/rport would "differ" without any NAT; and a stream client is reached over
  // its own connection (the proxy's alias, RFC 5626 flow) whatever its Contact says. TLS and WS
  // Contacts are .invalid for the same reason.
  const rewritable = account.transport === 'udp';
  return new NatTraversal({
    party: account.name,
    protocol: account.transport,
    socket,
    server,
    // WebSocket has its own ping frames (RFC 6455 §5.5.2); RFC 7118 defines no CRLF keep-alive.
    keepAliveSeconds: account.transport === 'ws' || account.transport === 'wss' ? 0 : settings.keepAliveSeconds,
    rewriteContact: settings.rewriteContact && rewritable,
    clock,
    logger,
  });
}

export interface BotRegistration {
  account: BotConfig;
  userAgent: SipUserAgent;
  registration: Registration;
  aor: string;
  serverUri: string;
  clock: Clock;
  timeoutMs: number;
}

/** After the first REGISTER 2xx: rewrite the Contact if we are behind NAT, then keep the binding alive. */
export function natAfterRegistered(nat: NatTraversal, r: BotRegistration): Promise<void> {
  return nat.afterRegistered(
    new UaContactTarget({
      userAgent: r.userAgent,
      registration: r.registration,
      party: r.account.name,
      aor: r.aor,
      protocol: r.account.transport,
      serverUri: r.serverUri,
      clock: r.clock,
      timeoutMs: r.timeoutMs,
    }),
  );
}
