import net from 'node:net';
import { TransportError, type Endpoint, type SipSocketOptions } from './types.js';

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`; SIP wants `a.b.c.d`. */
export function socketEndpoint(address: string | undefined, port: number | undefined): Endpoint | undefined {
  if (address === undefined || port === undefined) return undefined;
  const plain = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  return { address: plain, port };
}

/**
 * The loopback address of `address`'s family: where a party with no configured bind address
 * binds so it can reach `address` (a socket bound to 127.0.0.1 cannot send to [::1]: EINVAL).
 */
export function loopbackFor(address: string): string {
  return net.isIPv6(address) ? '::1' : '127.0.0.1';
}

/** The host part of a URI or Via for `address`: IPv6 references are bracketed (RFC 3261 §25.1). */
export function uriHost(address: string): string {
  return net.isIPv6(address) ? `[${address}]` : address;
}

/** `[::1]` -> `::1`; anything else unchanged. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function remoteKey(remote: Endpoint): string {
  return `${remote.address.toLowerCase()}|${remote.port}`;
}

/**
 * The address outgoing connections bind to: `bindAddress` only when it was given explicitly,
 * is not a wildcard and is of the target's family (a loopback source cannot reach another host).
 */
export function outgoingLocalAddress(bindAddress: string | undefined, target: string): string | undefined {
  if (bindAddress === undefined || bindAddress === '0.0.0.0' || bindAddress === '::') return undefined;
  const targetFamily = net.isIP(target);
  return targetFamily === 0 || targetFamily === net.isIP(bindAddress) ? bindAddress : undefined;
}

/** Certificate and key a listening tls/wss socket cannot do without. */
export function listeningTlsMaterial(protocol: 'tls' | 'wss', options: SipSocketOptions): { cert: string; key: string } {
  const { cert, key } = options.tls ?? {};
  if (!cert || !key) throw new TransportError(`${protocol} listening socket needs tls.cert and tls.key (PEM)`, protocol);
  return { cert, key };
}

/** Says what failed and, for certificate problems, how to fix it. */
export function describeConnectFailure(where: string, error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `connection to ${where} refused`;
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return `handshake with ${where} failed: certificate not trusted (${error.message}); set tls.ca to trust it, or tls.rejectUnauthorized false (--insecure)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `handshake with ${where} failed: ${error.message}; set tls.servername to a name the certificate carries`;
  }
  return `connection to ${where} failed: ${error.message}`;
}

/** Node's codes for a certificate the client refuses, and for a handshake that broke. */
const TLS_FAILURE_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ECONNRESET']);

/**
 * What went wrong in a failed TLS handshake, in a few words, or undefined when `error` is not
 * one: a TransportError of a tls/wss socket caused by a certificate check or an SSL error
 * (a plain-TCP server answering a ClientHello gives `wrong version number`).
 */
export function tlsFailureOf(error: unknown): string | undefined {
  if (!(error instanceof TransportError) || (error.protocol !== 'tls' && error.protocol !== 'wss')) return undefined;
  const cause = error.cause as (Error & { code?: string; library?: string }) | undefined;
  if (!cause) return undefined;
  const code = cause.code ?? '';
  if (!TLS_FAILURE_CODES.has(code) && !code.startsWith('ERR_SSL') && cause.library !== 'SSL routines') return undefined;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the certificate does not name the server (${cause.message})`;
  if (code === 'ECONNRESET') return 'the server closed the connection during the handshake';
  if (code.startsWith('ERR_SSL') || cause.library === 'SSL routines') return `handshake failed (${cause.message})`;
  return `certificate not trusted (${cause.message})`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
