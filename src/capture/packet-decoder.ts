import type { Endpoint } from '../sip/transport/types.js';
import type { CaptureFrame } from './capture-file.js';
import { gre } from './decode/gre.js';
import { icmpReason } from './decode/icmp.js';
import { isSkip } from './decode/layer.js';
import { ipOfEthertype, ipOfFrame } from './decode/link-types.js';
import { skip, type Skip } from './decode/skip-reasons.js';
import { GTPU_PORT, gtpU, VXLAN_PORT, vxlan } from './decode/udp-tunnels.js';
import { formatIp } from './ip-address.js';

/** A UDP datagram or TCP segment taken out of a frame, IP fragments already put together. */
export interface TransportSegment {
  at: number;
  interfaceId: number;
  protocol: 'udp' | 'tcp';
  source: Endpoint;
  destination: Endpoint;
  payload: Buffer;
  /** Payload bytes the capture's snap length cut off (the frame was stored shorter than sent). */
  missing?: number;
  /** The frame's pcapng comment. */
  comment?: string;
  /** TCP only. */
  seq?: number;
  syn?: boolean;
  fin?: boolean;
}

export type Decoded = TransportSegment | Skip;

interface Fragments {
  parts: { offset: number; data: Buffer }[];
  total?: number;
  firstSeen: number;
}

/** Fragments older than this are dropped (RFC 791 suggests 15 s as a reassembly timer). */
const FRAGMENT_TIMEOUT_MS = 30_000;
/** IP in IP in GRE in ...: deeper than this is corrupt bytes looping, not a network. */
const MAX_IP_DEPTH = 8;
const IP_IN_IP = 4;
const IPV6_IN_IP = 41;
const GRE = 47;
const ICMP = 1;
const ICMPV6 = 58;

/**
 * Link layer → IP (through tunnels: IP-in-IP, GRE/ERSPAN, VXLAN, GTP-U, with PPPoE, MPLS and
 * VLAN tags on the way) → UDP/TCP. Every frame comes out as a segment or a reason it carried
 * none; see decode/ for one file per layer.
 */
export class PacketDecoder {
  private readonly fragments = new Map<string, Fragments>();

  decode(frame: CaptureFrame): Decoded {
    const ip = ipOfFrame(frame);
    if (isSkip(ip)) return ip;
    const snapped = frame.originalLength !== undefined && frame.originalLength > frame.data.length;
    const segment = this.ip(ip.ip, frame.at, snapped, 0);
    if (!isSkip(segment)) {
      segment.interfaceId = frame.interfaceId;
      if (frame.comment) segment.comment = frame.comment;
    }
    return segment;
  }

  private ip(ip: Buffer, at: number, snapped: boolean, depth: number): Decoded {
    if (depth > MAX_IP_DEPTH) return skip('unknown', 'tunnels nested too deep');
    const version = ip.length > 0 ? ip[0]! >> 4 : 0;
    if (version === 4) return this.ipv4(ip, at, snapped, depth);
    if (version === 6) return this.ipv6(ip, at, snapped, depth);
    return skip('unknown', `IP version ${version}`);
  }

  private ipv4(ip: Buffer, at: number, snapped: boolean, depth: number): Decoded {
    if (ip.length < 20) return skip('unknown', 'IPv4 header cut short');
    const headerLength = (ip[0]! & 0x0f) * 4;
    const totalLength = ip.readUInt16BE(2);
    if (headerLength < 20 || totalLength < headerLength || headerLength > ip.length) return skip('unknown', 'IPv4 header lengths');
    if (totalLength > ip.length && !snapped) return skip('unknown', 'IPv4 total length past the frame');
    const protocol = ip[9]!;
    const source = formatIp(ip.subarray(12, 16));
    const destination = formatIp(ip.subarray(16, 20));
    let payload = ip.subarray(headerLength, totalLength);
    const missing = totalLength - headerLength - payload.length;
    const flags = ip.readUInt16BE(6);
    const moreFragments = (flags & 0x2000) !== 0;
    const fragmentOffset = (flags & 0x1fff) * 8;
    if (moreFragments || fragmentOffset > 0) {
      const whole = this.reassemble(`4|${source}|${destination}|${protocol}|${ip.readUInt16BE(4)}`, fragmentOffset, payload, moreFragments, at);
      if (!whole) return skip('fragment');
      payload = whole;
    }
    return this.next(4, protocol, source, destination, payload, missing, at, depth);
  }

  private ipv6(ip: Buffer, at: number, snapped: boolean, depth: number): Decoded {
    if (ip.length < 40) return skip('unknown', 'IPv6 header cut short');
    const payloadLength = ip.readUInt16BE(4);
    if (40 + payloadLength > ip.length && !snapped) return skip('unknown', 'IPv6 payload length past the frame');
    const source = formatIp(ip.subarray(8, 24));
    const destination = formatIp(ip.subarray(24, 40));
    let next = ip[6]!;
    let payload = ip.subarray(40, 40 + payloadLength);
    const missing = payloadLength - payload.length;
    // RFC 8200 §4: walk hop-by-hop, routing, destination options and fragment headers.
    for (let guard = 0; guard < 16; guard++) {
      if (next === 0 || next === 43 || next === 60) {
        if (payload.length < 8) return skip('unknown', 'IPv6 extension header cut short');
        const size = (payload[1]! + 1) * 8;
        if (size > payload.length) return skip('unknown', 'IPv6 extension header cut short');
        next = payload[0]!;
        payload = payload.subarray(size);
      } else if (next === 44) {
        if (payload.length < 8) return skip('unknown', 'IPv6 fragment header cut short');
        const field = payload.readUInt16BE(2);
        const id = payload.readUInt32BE(4);
        const inner = payload[0]!;
        const whole = this.reassemble(`6|${source}|${destination}|${id}`, field & 0xfff8, payload.subarray(8), (field & 1) === 1, at);
        if (!whole) return skip('fragment');
        next = inner;
        payload = whole;
      } else break;
    }
    return this.next(6, next, source, destination, payload, missing, at, depth);
  }

  /** What an IP packet carries: UDP/TCP for us, or a tunnel around another IP packet. */
  private next(version: 4 | 6, protocol: number, source: string, destination: string, payload: Buffer, missing: number, at: number, depth: number): Decoded {
    if (protocol === IP_IN_IP || protocol === IPV6_IN_IP) return this.ip(payload, at, missing > 0, depth + 1);
    if (protocol === GRE) return this.inner(gre(payload), at, missing > 0, depth);
    if (protocol === ICMP || protocol === ICMPV6) return skip(icmpReason(version, payload));
    if (protocol === 17) return this.udp(source, destination, payload, missing, at, depth);
    if (protocol === 6) return tcp(source, destination, payload, missing, at);
    return skip('unknown', `IP protocol ${protocol}`);
  }

  private inner(layer: ReturnType<typeof gre>, at: number, snapped: boolean, depth: number): Decoded {
    if (isSkip(layer)) return layer;
    const ip = ipOfEthertype(layer.ethertype, layer.bytes);
    return isSkip(ip) ? ip : this.ip(ip.ip, at, snapped, depth + 1);
  }

  private udp(source: string, destination: string, payload: Buffer, missing: number, at: number, depth: number): Decoded {
    if (payload.length < 8) return skip('unknown', 'UDP header cut short');
    const sourcePort = payload.readUInt16BE(0);
    const destinationPort = payload.readUInt16BE(2);
    const length = payload.readUInt16BE(4);
    const end = length >= 8 && length <= payload.length ? length : payload.length;
    const data = payload.subarray(8, end);
    const tunnel = destinationPort === VXLAN_PORT ? vxlan(data) : sourcePort === GTPU_PORT || destinationPort === GTPU_PORT ? gtpU(data) : undefined;
    if (tunnel) return this.inner(tunnel, at, missing > 0, depth);
    return {
      at,
      interfaceId: 0,
      protocol: 'udp',
      source: { address: source, port: sourcePort },
      destination: { address: destination, port: destinationPort },
      payload: data,
      ...(missing > 0 ? { missing } : {}),
    };
  }

  /** Collects fragments of one datagram; returns the payload once every byte is there. */
  private reassemble(key: string, offset: number, data: Buffer, more: boolean, at: number): Buffer | undefined {
    for (const [k, entry] of this.fragments) if (at - entry.firstSeen > FRAGMENT_TIMEOUT_MS) this.fragments.delete(k);
    let entry = this.fragments.get(key);
    if (!entry) {
      entry = { parts: [], firstSeen: at };
      this.fragments.set(key, entry);
    }
    entry.parts.push({ offset, data });
    if (!more) entry.total = offset + data.length;
    if (entry.total === undefined || entry.total > 0xffff) return undefined;
    const sorted = [...entry.parts].sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const part of sorted) {
      if (part.offset > covered) return undefined;
      covered = Math.max(covered, part.offset + part.data.length);
    }
    if (covered < entry.total) return undefined;
    const whole = Buffer.alloc(entry.total);
    for (const part of sorted) part.data.copy(whole, part.offset, 0, Math.max(0, Math.min(part.data.length, entry.total - part.offset)));
    this.fragments.delete(key);
    return whole;
  }
}

function tcp(source: string, destination: string, payload: Buffer, missing: number, at: number): Decoded {
  if (payload.length < 20) return skip('unknown', 'TCP header cut short');
  const dataOffset = (payload[12]! >> 4) * 4;
  if (dataOffset < 20 || dataOffset > payload.length) return skip('unknown', 'TCP header cut short');
  const flags = payload[13]!;
  return {
    at,
    interfaceId: 0,
    protocol: 'tcp',
    source: { address: source, port: payload.readUInt16BE(0) },
    destination: { address: destination, port: payload.readUInt16BE(2) },
    payload: payload.subarray(dataOffset),
    ...(missing > 0 ? { missing } : {}),
    seq: payload.readUInt32BE(4),
    syn: (flags & 0x02) !== 0,
    fin: (flags & 0x01) !== 0,
  };
}
