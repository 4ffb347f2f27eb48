import type { SkipReason } from './skip-reasons.js';

const SIP_START = /^(?:[A-Za-z]+ \S+ SIP\/2\.0|SIP\/2\.0 [1-6]\d\d)/;

/**
 * ICMP errors quote the packet that caused them (RFC 792: destination unreachable, time
 * exceeded, parameter problem; RFC 4443 §3 for ICMPv6): when that packet was a SIP datagram,
 * tshark shows the quoted SIP. It is not a message on the wire, so it is counted, not drawn.
 */
export function icmpReason(version: 4 | 6, d: Buffer): SkipReason {
  if (d.length < 8) return 'icmp';
  const type = d[0]!;
  const isError = version === 4 ? type === 3 || type === 11 || type === 12 : type >= 1 && type <= 4;
  if (!isError) return 'icmp';
  const quoted = d.subarray(8);
  let udp: Buffer | undefined;
  if (version === 4 && quoted.length >= 20 && quoted[0]! >> 4 === 4 && quoted[9] === 17) udp = quoted.subarray((quoted[0]! & 0x0f) * 4);
  if (version === 6 && quoted.length >= 40 && quoted[0]! >> 4 === 6 && quoted[6] === 17) udp = quoted.subarray(40);
  if (!udp || udp.length <= 8) return 'icmp';
  return SIP_START.test(udp.subarray(8, 264).toString('latin1').replace(/^[\r\n]+/, '')) ? 'icmp-sip' : 'icmp';
}
