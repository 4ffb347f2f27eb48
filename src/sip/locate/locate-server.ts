import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import { parseServerUri, ServerUriError } from '../server-uri.js';
import { formatEndpoint, type TransportProtocol } from '../transport/types.js';
import { orderSrv, type SrvRecord } from './srv-order.js';

/**
 * RFC 3263 §4 client side: where a SIP URI's requests go. Transport (§4.1), then port and
 * address (§4.2), as an ordered list of targets to try one after the other (§4.3).
 *
 *   sip:lab.test                 NAPTR lab.test → SIP+D2U/D2T/D2W, SIPS+D2T/D2W (order, preference)
 *                                  → SRV of the chosen replacement (priority, weight) → AAAA/A
 *                                no NAPTR: SRV _sip._udp, _sip._tcp, _sips._tcp in that order
 *                                no SRV: AAAA/A of lab.test on the transport's default port
 *   sip:lab.test;transport=tcp   no NAPTR (§4.1: the URI chose); SRV _sip._tcp.lab.test → AAAA/A
 *   sip:lab.test:5070            no NAPTR, no SRV (§4.2: an explicit port); AAAA/A, UDP
 *   sip:[::1]:5060               numeric: that address, nothing looked up
 *
 * A name with both AAAA and A records lists the preferred family's addresses first (the
 * family of the bind address), then the other's.
 */
export interface ServerTarget {
  address: string;
  port: number;
  transport: TransportProtocol;
  /** The name the address came from (an SRV target or the URI host); the address itself when numeric. */
  host: string;
}

export interface LocatedServer {
  uri: string;
  /** In the order to try them (RFC 3263 §4.3). */
  targets: ServerTarget[];
  /** How the targets were found, e.g. `NAPTR SIP+D2T → SRV _sip._tcp.lab.test`. */
  route: string;
  /** When the shortest address TTL runs out (ms since the epoch); Infinity when nothing expires. */
  expiresAt: number;
}

/** The lookups RFC 3263 needs; Node's dns Resolver has them (injectable for tests). */
export interface DnsLookups {
  resolveNaptr(name: string): Promise<Array<{ flags: string; service: string; regexp: string; replacement: string; order: number; preference: number }>>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string, options: { ttl: true }): Promise<Array<{ address: string; ttl: number }>>;
  resolve6(name: string, options: { ttl: true }): Promise<Array<{ address: string; ttl: number }>>;
}

export interface LocateOptions {
  /** The transport the user chose (`--transport`): like `;transport=`, it skips NAPTR. */
  transport?: TransportProtocol;
  /** Address family tried first when a name has both (4 or 6). */
  preferFamily: 4 | 6;
  dns: DnsLookups;
  /** No `--dns` given: names the DNS does not know are looked up as the system does (/etc/hosts). */
  systemFallback: boolean;
  now: () => number;
  random?: () => number;
}

/** RFC 3263 §4.1 NAPTR services and RFC 7118 §5.4 (WebSocket), with the SRV names of each. */
const NAPTR_SERVICES: Record<string, TransportProtocol> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp', 'SIPS+D2T': 'tls', 'SIP+D2W': 'ws', 'SIPS+D2W': 'wss' };
const SRV_PREFIX: Record<TransportProtocol, string> = { udp: '_sip._udp', tcp: '_sip._tcp', tls: '_sips._tcp', ws: '_sip._ws', wss: '_sips._ws' };
/** §4.2 default ports when neither the URI nor SRV names one. */
export const DEFAULT_PORTS: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };
/** §4.1: without NAPTR, SRV is queried for each supported transport, in this preference. */
const SRV_ONLY_ORDER: readonly TransportProtocol[] = ['udp', 'tcp', 'tls'];

export async function locateServer(uri: string, options: LocateOptions): Promise<LocatedServer> {
  const parsed = parseServerUri(uri);
  const secure = parsed.secure;
  const chosen = parsed.transport ?? options.transport;
  const defaultTransport: TransportProtocol = chosen ?? (secure ? 'tls' : 'udp');
  if (isIP(parsed.host) !== 0) {
    const target = { address: parsed.host, port: parsed.port ?? DEFAULT_PORTS[defaultTransport], transport: defaultTransport, host: parsed.host };
    return { uri, targets: [target], route: 'numeric', expiresAt: Infinity };
  }
  const resolver = new AddressResolver(options);
  if (parsed.port !== undefined) {
    const targets = await resolver.targets(parsed.host, parsed.port, defaultTransport);
    return located(uri, targets, 'explicit port, AAAA/A', resolver, parsed.host);
  }
  const services = chosen ? [{ transport: chosen, srv: `${SRV_PREFIX[chosen]}.${parsed.host}`, via: '' }] : await naptrServices(parsed.host, secure, options.dns);
  for (const service of services) {
    const records = await orNone(options.dns.resolveSrv(service.srv));
    if (records.length === 0) continue;
    const targets: ServerTarget[] = [];
    for (const record of orderSrv(records, options.random ?? Math.random)) targets.push(...(await resolver.targets(record.name, record.port, service.transport)));
    if (targets.length > 0) return located(uri, targets, `${service.via}SRV ${service.srv}`, resolver, parsed.host);
  }
  const targets = await resolver.targets(parsed.host, DEFAULT_PORTS[defaultTransport], defaultTransport);
  return located(uri, targets, 'no NAPTR or SRV, AAAA/A', resolver, parsed.host);
}

function located(uri: string, targets: ServerTarget[], how: string, resolver: AddressResolver, host: string): LocatedServer {
  if (targets.length === 0) throw new ServerUriError(uri, `cannot resolve ${host}: no NAPTR, SRV, AAAA or A record leads to an address`, `无法解析 ${host}：没有 NAPTR、SRV、AAAA 或 A 记录指向地址`);
  return { uri, targets, route: how, expiresAt: resolver.expiresAt };
}

/** §4.1: NAPTR records with flag S and a service we speak, by order then preference; else SRV of each transport. */
async function naptrServices(host: string, secure: boolean, dns: DnsLookups): Promise<Array<{ transport: TransportProtocol; srv: string; via: string }>> {
  const naptr = (await orNone(dns.resolveNaptr(host)))
    .filter((r) => r.flags.toLowerCase() === 's' && NAPTR_SERVICES[r.service.toUpperCase()] !== undefined)
    // A sips URI must be reached over TLS (RFC 3263 §4.1): only SIPS+ services.
    .filter((r) => !secure || r.service.toUpperCase().startsWith('SIPS+'))
    .sort((a, b) => a.order - b.order || a.preference - b.preference);
  if (naptr.length > 0) return naptr.map((r) => ({ transport: NAPTR_SERVICES[r.service.toUpperCase()]!, srv: r.replacement, via: `NAPTR ${r.service.toUpperCase()} → ` }));
  const transports = secure ? (['tls'] as const) : SRV_ONLY_ORDER;
  return transports.map((transport) => ({ transport, srv: `${SRV_PREFIX[transport]}.${host}`, via: '' }));
}

/** AAAA/A of a name, the preferred family first; remembers the shortest TTL seen. */
class AddressResolver {
  expiresAt = Infinity;

  constructor(private readonly options: LocateOptions) {}

  async targets(host: string, port: number, transport: TransportProtocol): Promise<ServerTarget[]> {
    const [v6, v4] = await Promise.all([orNone(this.options.dns.resolve6(host, { ttl: true })), orNone(this.options.dns.resolve4(host, { ttl: true }))]);
    let records = this.options.preferFamily === 6 ? [...v6, ...v4] : [...v4, ...v6];
    if (records.length === 0 && this.options.systemFallback) records = await this.systemLookup(host);
    for (const record of records) if (Number.isFinite(record.ttl)) this.expiresAt = Math.min(this.expiresAt, this.options.now() + record.ttl * 1000);
    return records.map((r) => ({ address: r.address, port, transport, host }));
  }

  /** Names only /etc/hosts knows (localhost, a compose service): getaddrinfo, no TTL. */
  private async systemLookup(host: string): Promise<Array<{ address: string; ttl: number }>> {
    const all = await lookup(host, { all: true }).catch(() => []);
    const preferred = all.filter((a) => (a.family === 6) === (this.options.preferFamily === 6));
    const other = all.filter((a) => (a.family === 6) !== (this.options.preferFamily === 6));
    return [...preferred, ...other].map((a) => ({ address: a.address, ttl: Infinity }));
  }
}

/** "This name has no such record" is an empty answer; anything else (a dead DNS server) is an error. */
async function orNone<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ENONAME' || code === 'NXDOMAIN') return [];
    throw new Error(`DNS query failed: ${(error as Error).message}`, { cause: error });
  }
}

/** `udp [::1]:5060 (pbx.lab.test)`: a target as the output names it. */
export function describeTarget(target: ServerTarget): string {
  const where = formatEndpoint(target);
  return target.host === target.address ? `${target.transport} ${where}` : `${target.transport} ${where} (${target.host})`;
}

/** The family of an address as `preferFamily` wants it. */
export function familyOf(address: string | undefined): 4 | 6 {
  return address !== undefined && isIPv6(address) ? 6 : 4;
}
