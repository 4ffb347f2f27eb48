import { cut, ETHERTYPE, type LayerResult } from './layer.js';
import { ppp } from './pppoe.js';

const GRE_CHECKSUM = 0x8000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
/** RFC 2637 (PPTP) enhanced GRE, version 1: acknowledgment number present. */
const GRE_ACK = 0x0080;
const PPTP_PPP = 0x880b;

/**
 * RFC 2784 / RFC 2890 GRE: flags and version u16 | protocol type u16 (an EtherType) |
 * [checksum u16, reserved u16] | [key u32] | [sequence u32]. Version 1 is PPTP's, carrying PPP.
 * ERSPAN rides on GRE with protocol 0x88be (type I without a sequence number and without a
 * header of its own, type II with one) or 0x22eb (type III).
 */
export function gre(d: Buffer): LayerResult {
  if (d.length < 4) return cut('GRE');
  const flags = d.readUInt16BE(0);
  const version = flags & 0x07;
  const protocol = d.readUInt16BE(2);
  let offset = 4;
  if (flags & GRE_CHECKSUM) offset += 4;
  if (flags & GRE_KEY) offset += 4;
  if (flags & GRE_SEQUENCE) offset += 4;
  if (version === 1 && flags & GRE_ACK) offset += 4;
  if (d.length < offset) return cut('GRE');
  const payload = d.subarray(offset);
  if (version === 1) return protocol === PPTP_PPP ? ppp(payload) : { skip: 'unknown', detail: `PPTP GRE protocol 0x${protocol.toString(16)}` };
  if (version !== 0) return { skip: 'unknown', detail: `GRE version ${version}` };
  if (protocol === ETHERTYPE.erspanII) return flags & GRE_SEQUENCE ? erspanII(payload) : { ethertype: ETHERTYPE.ethernet, bytes: payload };
  if (protocol === ETHERTYPE.erspanIII) return erspanIII(payload);
  return { ethertype: protocol, bytes: payload };
}

/**
 * ERSPAN type II, 8 bytes: version (4) = 1 | VLAN (12) | COS (3) | En (2) | T (1) |
 * session id (10) | reserved (12) | index (20); a mirrored Ethernet frame follows.
 */
function erspanII(d: Buffer): LayerResult {
  if (d.length < 8) return cut('ERSPAN II');
  if (d[0]! >> 4 !== 1) return { skip: 'unknown', detail: `ERSPAN version ${d[0]! >> 4} under protocol 0x88be` };
  return { ethertype: ETHERTYPE.ethernet, bytes: d.subarray(8) };
}

/**
 * ERSPAN type III, 12 bytes: version (4) = 2 | VLAN (12) | COS (3) | BSO (2) | T (1) |
 * session id (10) | timestamp u32 | SGT u16 | P (1) | FT (5) | HW id (6) | D (1) | Gra (2) |
 * O (1); with O set an 8-byte platform-specific subheader follows. FT 0 is Ethernet, 2 is IP.
 */
function erspanIII(d: Buffer): LayerResult {
  if (d.length < 12) return cut('ERSPAN III');
  if (d[0]! >> 4 !== 2) return { skip: 'unknown', detail: `ERSPAN version ${d[0]! >> 4} under protocol 0x22eb` };
  const frameType = (d[10]! >> 2) & 0x1f;
  const offset = 12 + (d[11]! & 0x01 ? 8 : 0);
  if (d.length < offset) return cut('ERSPAN III');
  const rest = d.subarray(offset);
  if (frameType === 0) return { ethertype: ETHERTYPE.ethernet, bytes: rest };
  if (frameType === 2 && rest.length > 0) return { ethertype: rest[0]! >> 4 === 6 ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4, bytes: rest };
  return { skip: 'unknown', detail: `ERSPAN III frame type ${frameType}` };
}
