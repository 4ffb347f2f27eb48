import type { SipMessageEvent } from '../events/types.js';
import { getHeader, getHeaderValues, splitHeaderList, splitHostPort, uriOf } from '../sip/message/headers.js';
import { parseSipMessage } from '../sip/message/parse-message.js';
import { addressBytes, formatIp } from './ip-address.js';

/**
 * Names capture endpoints after users, only where the capture proves it: an endpoint is
 * `alice` when it sent alice's REGISTER (RFC 3261 §10.2: the To user is the address of record)
 * with a Contact that binds that very endpoint (same address and port; over TCP, TLS and
 * WebSocket, whose source ports are ephemeral, the same address with a single Via, i.e. not
 * a proxy relaying it). Everything else keeps its `address:port`: From and To name who a call
 * is for, not who sent a message (a provider proxy, a B2BUA). Computed once per capture, so
 * every ladder of the capture uses the same names. An endpoint bound to two users, or a user
 * bound at two endpoints, keeps both: `alice (10.0.0.1:5060)`.
 */
export function namePartiesByUser(messages: readonly SipMessageEvent[]): Map<string, string> {
  const users = new Map<string, Set<string>>();
  for (const event of messages) {
    if (event.parseError !== undefined || event.method !== 'REGISTER') continue;
    const message = parseSipMessage(event.raw);
    const user = userOf(getHeader(message, 'to'));
    if (!user) continue;
    const reliable = event.transport !== 'udp';
    const singleVia = getHeaderValues(message, 'via').length === 1;
    const binds = getHeaderValues(message, 'contact')
      .flatMap(splitHeaderList)
      .some((contact) => bindsEndpoint(uriOf(contact), event.local, reliable && singleVia));
    if (!binds) continue;
    const endpoint = event.party;
    users.set(endpoint, (users.get(endpoint) ?? new Set()).add(user));
  }
  const endpointsOf = new Map<string, number>();
  for (const names of users.values()) for (const name of names) endpointsOf.set(name, (endpointsOf.get(name) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const [endpoint, set] of users) {
    const name = [...set].sort().join('/');
    const shared = set.size > 1 || [...set].some((n) => endpointsOf.get(n)! > 1);
    names.set(endpoint, shared ? `${name} (${endpoint})` : name);
  }
  return names;
}

function userOf(nameAddr: string | undefined): string | undefined {
  return nameAddr ? /^(?:sips?|tel):([^@;>]+)/i.exec(uriOf(nameAddr))?.[1] : undefined;
}

/** Does a Contact URI name this endpoint (RFC 3261 §19.1.2 default ports 5060 / 5061)? */
function bindsEndpoint(uri: string, endpoint: SipMessageEvent['local'], anyPort: boolean): boolean {
  const match = /^(sips?):(?:[^@]*@)?(\[[^\]]+\]|[^;:?>]+)(?::(\d+))?/i.exec(uri);
  if (!match) return false;
  const { host } = splitHostPort(match[2]!);
  if (normalise(host) !== normalise(endpoint.address)) return false;
  if (anyPort) return true;
  const port = match[3] ? Number(match[3]) : match[1]!.toLowerCase() === 'sips' ? 5061 : 5060;
  return port === endpoint.port;
}

function normalise(address: string): string {
  return formatIp(addressBytes(address));
}
