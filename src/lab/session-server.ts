import type { BotsFile } from '../config/bots-schema.js';
import { dnsLookups } from '../sip/locate/dns-server.js';
import { familyOf, locateServer, type LocatedServer, type LocateOptions } from '../sip/locate/locate-server.js';
import { ServerLocator } from '../sip/locate/server-locator.js';
import { parseServerUri } from '../sip/server-uri.js';
import type { Endpoint, TransportProtocol } from '../sip/transport/types.js';
import type { Logger } from '../util/logger.js';

/** An external server of a session, located once (RFC 3263); each bot gets its own locator of it. */
export interface SessionServer {
  /** The transport every bot uses: the one given, else the one DNS chose. */
  transport: TransportProtocol;
  /** The first target. */
  first: Endpoint;
  /** The name a TLS certificate must carry: the URI's host when it is a name (RFC 5922 §4). */
  servername: string | undefined;
  describe(): string;
  /** A locator of its own for one bot: failover and TTL are per bot. */
  forBot(): ServerLocator;
}

export async function locateSessionServer(options: { server?: string; transport?: TransportProtocol; dns?: string }, bots: BotsFile, logger: Logger): Promise<SessionServer> {
  const uri = options.server!;
  const first = bots.bots.values().next().value;
  const locateOptions: LocateOptions = {
    ...(options.transport && { transport: options.transport }),
    // Dual stack: the family of the bots' configured bind address first (IPv4 when none is set).
    preferFamily: familyOf(first?.bindAddress),
    dns: dnsLookups(options.dns),
    systemFallback: options.dns === undefined,
    now: () => Date.now(),
  };
  const located: LocatedServer = await locateServer(uri, locateOptions);
  const transport = located.targets[0]!.transport;
  const host = parseServerUri(uri).host;
  const locator = (): ServerLocator => new ServerLocator(located, transport, { ...locateOptions, transport }, logger.child({ server: uri }));
  const shown = locator();
  return {
    transport,
    first: shown.endpoint,
    servername: located.route === 'numeric' ? undefined : host,
    describe: () => shown.describe(),
    forBot: locator,
  };
}
