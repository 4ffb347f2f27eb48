import { cut, ETHERTYPE, type LayerResult } from './layer.js';

/** PPP protocol numbers (RFC 1332, RFC 5072) of the datagrams we follow. */
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/**
 * RFC 2516 §4 PPPoE session stage: ver/type u8 (0x11) | code u8 (0) | session id u16 |
 * length u16 | PPP protocol u16 | datagram. The length counts the PPP protocol and datagram,
 * and bounds them (an Ethernet frame's padding follows).
 */
export function pppoeSession(d: Buffer): LayerResult {
  if (d.length < 8) return cut('PPPoE');
  if (d[0] !== 0x11) return { skip: 'unknown', detail: `PPPoE version/type 0x${d[0]!.toString(16)}` };
  const length = d.readUInt16BE(4);
  return ppp(d.subarray(6, Math.min(d.length, 6 + length)));
}

/** A PPP frame after the address/control bytes: protocol u16 | datagram (LINKTYPE_PPP, 9). */
export function ppp(d: Buffer): LayerResult {
  let body = d;
  // HDLC-like framing (RFC 1662) prefixes ff 03 unless address/control compression is on.
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0x03) body = body.subarray(2);
  if (body.length < 2) return cut('PPP');
  const protocol = body.readUInt16BE(0);
  if (protocol === PPP_IPV4) return { ethertype: ETHERTYPE.ipv4, bytes: body.subarray(2) };
  if (protocol === PPP_IPV6) return { ethertype: ETHERTYPE.ipv6, bytes: body.subarray(2) };
  // LCP, IPCP, PAP/CHAP...: PPP's own control traffic.
  return { skip: 'not-ip' };
}
