import { parseParams, splitHostPort } from '../sip/message/headers.js';
import type { TransportProtocol } from '../sip/transport/types.js';

/**
 * The parts of a SIP URI the proxy routes on (RFC 3261 §19.1.1):
 * `sip:user:password@host:port;uri-parameters?headers`. Only what routing needs is kept.
 */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
}

/** Returns undefined for anything that is not a sip:/sips: URI (tel:, garbage). */
export function parseSipUri(text: string): SipUri | undefined {
  const match = /^(sips?):(?:([^@]*)@)?([^;?]+)(;[^?]*)?(\?.*)?$/i.exec(text.trim());
  if (!match) return undefined;
  const { host, port } = splitHostPort(match[3]!);
  // Port 0 is accepted: a TCP/WS phone that never listens may write its unbound port, and the
  // proxy reaches it over its registration flow anyway (RFC 5626).
  if (!host || (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536))) return undefined;
  const user = match[2] === undefined ? undefined : decodeURIComponent(match[2].split(':')[0]!);
  return { scheme: match[1]!.toLowerCase() as 'sip' | 'sips', user, host: host.toLowerCase(), port, params: parseParams(match[4] ?? '') };
}

/** The transport a URI asks for: its `transport` parameter, or TLS for sips (RFC 3261 §19.1.2). */
export function uriTransport(uri: SipUri): TransportProtocol | undefined {
  const param = uri.params.get('transport')?.toLowerCase();
  if (param === 'udp' || param === 'tcp' || param === 'tls' || param === 'ws' || param === 'wss') return param;
  if (param === undefined && uri.scheme === 'sips') return 'tls';
  return undefined;
}

export function defaultPort(protocol: TransportProtocol): number {
  return protocol === 'tls' ? 5061 : protocol === 'ws' ? 80 : protocol === 'wss' ? 443 : 5060;
}

/**
 * A comparison key close to RFC 3261 §19.1.4 URI equality for the parts that identify a
 * contact: user, host and port (defaulted) and transport. Other parameters (`ob`, `rinstance`)
 * are ignored, as registrars do when matching a Request-URI against bindings.
 */
export function contactKey(uri: SipUri): string {
  const protocol = uriTransport(uri) ?? 'udp';
  return `${uri.user ?? ''}@${uri.host}:${uri.port ?? defaultPort(protocol)};${protocol}`;
}
