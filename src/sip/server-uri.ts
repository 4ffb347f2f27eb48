import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TRANSPORT_PROTOCOLS, type Endpoint, type TransportProtocol } from './transport/types.js';

/** A `--server` value that is not a usable SIP URI. */
export class ServerUriError extends Error {
  constructor(readonly uri: string, reason: string) {
    super(`bad server ${JSON.stringify(uri)}: ${reason} (hint: sip:127.0.0.1:5060;transport=tcp)`);
    this.name = 'ServerUriError';
  }
}

export interface ServerAddress {
  endpoint: Endpoint;
  /** From `;transport=` or the scheme (`sips:` means TLS); undefined when the URI names none. */
  transport: TransportProtocol | undefined;
  uri: string;
}

/** RFC 3263 §4.2 default ports when the URI names none (no SRV lookups: we test named servers). */
const DEFAULT_PORTS: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

/** `sip:host[:port][;transport=x]`, `sips:…`, or a bare `host[:port]`. Names are resolved once. */
export async function resolveServerUri(uri: string, fallbackTransport: TransportProtocol): Promise<ServerAddress> {
  const match = /^(?:(sips?):)?(?:[^@;]*@)?(\[[^\]]+\]|[^:;]+)(?::(\d+))?((?:;[^;]*)*)$/i.exec(uri.trim());
  if (!match) throw new ServerUriError(uri, 'not of the form sip:host:port');
  const [, scheme, rawHost, rawPort, params] = match;
  const named = /;transport=([a-z]+)/i.exec(params ?? '')?.[1]?.toLowerCase();
  if (named !== undefined && !TRANSPORT_PROTOCOLS.includes(named as TransportProtocol)) {
    throw new ServerUriError(uri, `unknown transport ${named} (use ${TRANSPORT_PROTOCOLS.join(', ')})`);
  }
  const transport = (named as TransportProtocol | undefined) ?? (scheme?.toLowerCase() === 'sips' ? 'tls' : undefined);
  const host = rawHost!.replace(/^\[|\]$/g, '');
  const port = rawPort === undefined ? DEFAULT_PORTS[transport ?? fallbackTransport] : Number(rawPort);
  if (!(port > 0 && port < 65536)) throw new ServerUriError(uri, `port ${rawPort} is out of range`);
  const address = isIP(host) ? host : await lookup(host).then((r) => r.address).catch((error: unknown) => {
    throw new ServerUriError(uri, `cannot resolve ${host}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return { endpoint: { address, port }, transport, uri };
}
