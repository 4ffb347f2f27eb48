import type dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * A dgram `lookup` that answers an IP literal at once. dgram passes every destination, even
 * 127.0.0.1, through dns.lookup, which answers on the next tick: one closure and one deferred
 * call per datagram sent, and the datagram leaves after the sender's loop instead of within it.
 * A name (localhost, a DNS name) still goes to dns.lookup with dgram's family.
 *
 * A literal is answered with its own family, as dns.lookup answers it: a send from an IPv4
 * socket to [::1] still fails with EINVAL at the socket, through the send callback as before.
 */
function literalFirst(hostname: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

export const literalFirstLookup = literalFirst as unknown as NonNullable<dgram.SocketOptions['lookup']>;
