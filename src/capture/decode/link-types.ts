import type { CaptureFrame } from '../capture-file.js';
import { ethernet } from './ethernet.js';
import { cut, ETHERTYPE, isSkip, type LayerResult } from './layer.js';
import { linuxCooked, linuxCookedV2 } from './linux-cooked.js';
import { mpls } from './mpls.js';
import { ppp, pppoeSession } from './pppoe.js';
import type { Skip } from './skip-reasons.js';

/** BSD AF_INET6 differs by OS: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
const BSD_AF_INET6 = new Set([24, 28, 30]);
/** Layers inside layers deeper than this are a loop in corrupt bytes, not a real network. */
const MAX_DEPTH = 16;

export type IpOrSkip = { ip: Buffer } | Skip;

/** The IP packet inside a captured frame, through any nesting of the layers we know. */
export function ipOfFrame(frame: CaptureFrame): IpOrSkip {
  const first = linkLayer(frame.linkType, frame.data);
  return isSkip(first) ? first : ipOfEthertype(first.ethertype, first.bytes);
}

/** Follows EtherType-named layers (Ethernet in GRE, MPLS in PPPoE...) down to IP. */
export function ipOfEthertype(ethertype: number, bytes: Buffer): IpOrSkip {
  let layer: LayerResult = { ethertype, bytes };
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (isSkip(layer)) return layer;
    const { ethertype: type, bytes: d } = layer;
    if (type === ETHERTYPE.ipv4 || type === ETHERTYPE.ipv6) return { ip: d };
    if (type === ETHERTYPE.ethernet) layer = ethernet(d);
    else if (type === ETHERTYPE.pppoeSession) layer = pppoeSession(d);
    else if (type === ETHERTYPE.mplsUnicast || type === ETHERTYPE.mplsMulticast) layer = mpls(d);
    else if (NOT_IP.has(type)) return { skip: 'not-ip' };
    else return { skip: 'unknown', detail: `EtherType 0x${type.toString(16).padStart(4, '0')}` };
  }
  return { skip: 'unknown', detail: 'layers nested too deep' };
}

/** ARP, RARP, PPPoE discovery, 802.1X, LLDP, LACP/slow protocols, PTP, loopback test, MACsec. */
const NOT_IP = new Set([ETHERTYPE.arp, 0x8035, ETHERTYPE.pppoeDiscovery, 0x888e, 0x88cc, 0x8809, 0x88f7, 0x9000, 0x88e5, 0x893a, 0x88e1]);

function linkLayer(linkType: number, d: Buffer): LayerResult {
  switch (linkType) {
    case 1:
      return ethernet(d);
    case 113:
      return linuxCooked(d);
    case 276:
      return linuxCookedV2(d);
    case 9:
    case 50:
      return ppp(d);
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      return byVersion(d);
    case 0:
      return bsdLoopback(d);
    case 108:
      if (d.length < 4) return cut('loopback');
      return bsdFamily(d.readUInt32BE(0), d.subarray(4));
    default:
      return { skip: 'unknown', detail: `link type ${linkType}` };
  }
}

/** Raw IP link types: the version nibble says which. */
function byVersion(d: Buffer): LayerResult {
  if (d.length < 1) return cut('IP');
  return { ethertype: d[0]! >> 4 === 6 ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4, bytes: d };
}

/** DLT_NULL: a 4-byte address family in the capturing host's byte order; try both. */
function bsdLoopback(d: Buffer): LayerResult {
  if (d.length < 4) return cut('loopback');
  const le = d.readUInt32LE(0);
  return bsdFamily(le === 2 || BSD_AF_INET6.has(le) ? le : d.readUInt32BE(0), d.subarray(4));
}

function bsdFamily(family: number, rest: Buffer): LayerResult {
  if (family === 2) return { ethertype: ETHERTYPE.ipv4, bytes: rest };
  if (BSD_AF_INET6.has(family)) return { ethertype: ETHERTYPE.ipv6, bytes: rest };
  return { skip: 'unknown', detail: `loopback address family ${family}` };
}
