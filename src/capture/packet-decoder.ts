import type { Endpoint } from '../sip/transport/types.js';
import type { CaptureFrame } from './capture-file.js';
import { formatIp } from './ip-address.js';

/** A UDP datagram or TCP segment taken out of a frame, IP fragments already put together. */
export interface TransportSegment {
  at: number;
  interfaceId: number;
  protocol: 'udp' | 'tcp';
  source: Endpoint;
  destination: Endpoint;
  payload: Buffer;
  /** TCP only. */
  seq?: number;
  syn?: boolean;
  fin?: boolean;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
/** BSD AF_INET6 differs by OS: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
const BSD_AF_INET6 = new Set([24, 28, 30]);

interface Fragments {
  parts: { offset: number; data: Buffer }[];
  total?: number;
  firstSeen: number;
}

/** Fragments older than this are dropped (RFC 791 suggests 15 s as a reassembly timer). */
const FRAGMENT_TIMEOUT_MS = 30_000;

/**
 * Link layer → IP → UDP/TCP, for the link types captures of SIP are made with. Frames it
 * cannot use (ARP, other link types, truncated by the snap length) are counted and skipped:
 * they are normal in a capture, unlike a broken file structure.
 */
export class PacketDecoder {
  skipped = 0;
  private readonly fragments = new Map<string, Fragments>();

  decode(frame: CaptureFrame): TransportSegment | undefined {
    const ip = this.ipOf(frame);
    const version = ip && ip.length > 0 ? ip[0]! >> 4 : 0;
    const segment = version === 4 ? this.ipv4(ip!, frame.at) : version === 6 ? this.ipv6(ip!, frame.at) : this.skip();
    if (segment) segment.interfaceId = frame.interfaceId;
    return segment;
  }

  private ipOf(frame: CaptureFrame): Buffer | undefined {
    const d = frame.data;
    switch (frame.linkType) {
      case 1:
        return ethernet(d);
      case 113:
        return d.length >= 16 ? byEthertype(d.readUInt16BE(14), d.subarray(16)) : undefined;
      case 276:
        return d.length >= 20 ? byEthertype(d.readUInt16BE(0), d.subarray(20)) : undefined;
      case 101:
      case 12:
      case 14:
      case 228:
      case 229:
        return d;
      case 0: {
        if (d.length < 4) return undefined;
        // DLT_NULL: the family is in the capturing host's byte order; try both.
        const le = d.readUInt32LE(0);
        const family = le === 2 || BSD_AF_INET6.has(le) ? le : d.readUInt32BE(0);
        return family === 2 || BSD_AF_INET6.has(family) ? d.subarray(4) : undefined;
      }
      case 108: {
        if (d.length < 4) return undefined;
        const family = d.readUInt32BE(0);
        return family === 2 || BSD_AF_INET6.has(family) ? d.subarray(4) : undefined;
      }
      default:
        return undefined;
    }
  }

  private ipv4(ip: Buffer, at: number): TransportSegment | undefined {
    if (ip.length < 20) return this.skip();
    const headerLength = (ip[0]! & 0x0f) * 4;
    const totalLength = ip.readUInt16BE(2);
    if (headerLength < 20 || totalLength < headerLength || totalLength > ip.length) return this.skip();
    const protocol = ip[9]!;
    const source = formatIp(ip.subarray(12, 16));
    const destination = formatIp(ip.subarray(16, 20));
    let payload = ip.subarray(headerLength, totalLength);
    const flags = ip.readUInt16BE(6);
    const moreFragments = (flags & 0x2000) !== 0;
    const fragmentOffset = (flags & 0x1fff) * 8;
    if (moreFragments || fragmentOffset > 0) {
      const whole = this.reassemble(`4|${source}|${destination}|${protocol}|${ip.readUInt16BE(4)}`, fragmentOffset, payload, moreFragments, at);
      if (!whole) return undefined;
      payload = whole;
    }
    return this.transport(protocol, source, destination, payload, at);
  }

  private ipv6(ip: Buffer, at: number): TransportSegment | undefined {
    if (ip.length < 40) return this.skip();
    const payloadLength = ip.readUInt16BE(4);
    if (40 + payloadLength > ip.length) return this.skip();
    const source = formatIp(ip.subarray(8, 24));
    const destination = formatIp(ip.subarray(24, 40));
    let next = ip[6]!;
    let payload = ip.subarray(40, 40 + payloadLength);
    // RFC 8200 §4: walk hop-by-hop, routing, destination options and fragment headers.
    for (let guard = 0; guard < 16; guard++) {
      if (next === 0 || next === 43 || next === 60) {
        if (payload.length < 8) return this.skip();
        const size = (payload[1]! + 1) * 8;
        if (size > payload.length) return this.skip();
        next = payload[0]!;
        payload = payload.subarray(size);
      } else if (next === 44) {
        if (payload.length < 8) return this.skip();
        const field = payload.readUInt16BE(2);
        const id = payload.readUInt32BE(4);
        const inner = payload[0]!;
        const whole = this.reassemble(`6|${source}|${destination}|${id}`, field & 0xfff8, payload.subarray(8), (field & 1) === 1, at);
        if (!whole) return undefined;
        next = inner;
        payload = whole;
      } else break;
    }
    return this.transport(next, source, destination, payload, at);
  }

  private transport(protocol: number, source: string, destination: string, payload: Buffer, at: number): TransportSegment | undefined {
    if (protocol === 17) {
      if (payload.length < 8) return this.skip();
      const length = payload.readUInt16BE(4);
      const end = length >= 8 && length <= payload.length ? length : payload.length;
      return {
        at,
        interfaceId: 0,
        protocol: 'udp',
        source: { address: source, port: payload.readUInt16BE(0) },
        destination: { address: destination, port: payload.readUInt16BE(2) },
        payload: payload.subarray(8, end),
      };
    }
    if (protocol === 6) {
      if (payload.length < 20) return this.skip();
      const dataOffset = (payload[12]! >> 4) * 4;
      if (dataOffset < 20 || dataOffset > payload.length) return this.skip();
      const flags = payload[13]!;
      return {
        at,
        interfaceId: 0,
        protocol: 'tcp',
        source: { address: source, port: payload.readUInt16BE(0) },
        destination: { address: destination, port: payload.readUInt16BE(2) },
        payload: payload.subarray(dataOffset),
        seq: payload.readUInt32BE(4),
        syn: (flags & 0x02) !== 0,
        fin: (flags & 0x01) !== 0,
      };
    }
    return this.skip();
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

  private skip(): undefined {
    this.skipped++;
    return undefined;
  }
}

function ethernet(d: Buffer): Buffer | undefined {
  if (d.length < 14) return undefined;
  let offset = 12;
  let type = d.readUInt16BE(offset);
  // IEEE 802.1Q / 802.1ad: a 4-byte tag (TPID, TCI) before the real EtherType.
  while (VLAN_TAGS.has(type) && d.length >= offset + 6) {
    offset += 4;
    type = d.readUInt16BE(offset);
  }
  return byEthertype(type, d.subarray(offset + 2));
}

function byEthertype(type: number, rest: Buffer): Buffer | undefined {
  return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? rest : undefined;
}
