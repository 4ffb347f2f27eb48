import { ETHERTYPE, type LayerResult } from './layer.js';

/** IANA ports: VXLAN (RFC 7348 §5), GTP-U (3GPP TS 29.281). */
export const VXLAN_PORT = 4789;
export const GTPU_PORT = 2152;

/**
 * RFC 7348 §5 VXLAN: flags u8 (I = 0x08: VNI valid) | reserved (24) | VNI (24) | reserved (8),
 * then an Ethernet frame. Undefined when the bytes are not a VXLAN header (a SIP or RTP
 * datagram that merely uses port 4789 is left to the UDP layer).
 */
export function vxlan(d: Buffer): LayerResult | undefined {
  if (d.length < 8 + 14 || (d[0]! & 0x08) === 0) return undefined;
  return { ethertype: ETHERTYPE.ethernet, bytes: d.subarray(8) };
}

/** G-PDU: the message type that carries a user's IP packet. */
const GTP_GPDU = 0xff;

/**
 * 3GPP TS 29.281 §5.1 GTP-U: version (3) = 1 | PT (1) = 1 | spare | E | S | PN (flags u8) |
 * message type u8 | length u16 | TEID u32 | [sequence u16, N-PDU u8, next extension type u8
 * when E, S or PN] | [extension headers: length u8 in 4-byte units ... next type u8]. A G-PDU
 * carries an IP packet; echo and error messages are GTP's own signalling.
 */
export function gtpU(d: Buffer): LayerResult | undefined {
  if (d.length < 8 || d[0]! >> 5 !== 1 || (d[0]! & 0x10) === 0) return undefined;
  if (d[1] !== GTP_GPDU) return { skip: 'other-udp' };
  const end = Math.min(d.length, 8 + d.readUInt16BE(2));
  let offset = 8;
  if (d[0]! & 0x07) {
    if (end < 12) return undefined;
    let next = d[11]!;
    offset = 12;
    while (next !== 0) {
      if (end < offset + 1) return undefined;
      const size = d[offset]! * 4;
      if (size === 0 || end < offset + size) return undefined;
      next = d[offset + size - 1]!;
      offset += size;
    }
  }
  const inner = d.subarray(offset, end);
  const version = inner.length > 0 ? inner[0]! >> 4 : 0;
  if (version !== 4 && version !== 6) return undefined;
  return { ethertype: version === 6 ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4, bytes: inner };
}
