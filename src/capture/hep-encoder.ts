import type { SipMessageEvent } from '../events/types.js';
import { addressBytes, toIpv6 } from './ip-address.js';
import { IP_PROTOCOL_TCP, IP_PROTOCOL_UDP } from './packet-headers.js';

/*
 * HEPv3 (Homer Encapsulation Protocol, sipcapture HEP-v3 specification), all fields in
 * network byte order:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                     "HEP3" (0x48455033)                       |
 *   +-------------------------------+-------------------------------+
 *   |   Total length (header too)   |  chunks ...                   /
 *   +-------------------------------+-------------------------------+
 *
 * Each chunk:
 *   +-------------------------------+-------------------------------+
 *   |   Vendor ID (0x0000 generic)  |          Type ID              |
 *   +-------------------------------+-------------------------------+
 *   |  Length (chunk header too)    |  Value ...                    /
 *   +-------------------------------+-------------------------------+
 *
 * Generic chunk types written here:
 *   0x0001 IP protocol family  u8   2 = IPv4, 10 = IPv6
 *   0x0002 IP protocol ID      u8   17 = UDP, 6 = TCP
 *   0x0003 / 0x0004 IPv4 source / destination address  (4 octets)
 *   0x0005 / 0x0006 IPv6 source / destination address  (16 octets)
 *   0x0007 / 0x0008 source / destination port          u16
 *   0x0009 timestamp, seconds since the epoch          u32
 *   0x000a timestamp, microseconds offset              u32
 *   0x000b protocol type       u8   1 = SIP
 *   0x000c capture agent ID    u32
 *   0x000e authentication key (capture password)      octets, only when set
 *   0x000f captured packet payload                    octets (the SIP message)
 *   0x0011 internal correlation ID                    octets (the Call-ID)
 */
export const HEP3_MAGIC = 0x48455033;
export const HEP_PROTOCOL_SIP = 1;

const CHUNK = {
  ipFamily: 0x0001,
  ipProtocol: 0x0002,
  ipv4Source: 0x0003,
  ipv4Destination: 0x0004,
  ipv6Source: 0x0005,
  ipv6Destination: 0x0006,
  sourcePort: 0x0007,
  destinationPort: 0x0008,
  seconds: 0x0009,
  microseconds: 0x000a,
  protocolType: 0x000b,
  captureId: 0x000c,
  password: 0x000e,
  payload: 0x000f,
  correlationId: 0x0011,
} as const;

const AF_INET = 2;
const AF_INET6 = 10;

export interface HepOptions {
  /** Capture agent ID that names this sender in Homer (default 2001). */
  captureId?: number;
  /** Capture password (authentication key chunk), when the collector asks for one. */
  password?: string;
}

export const DEFAULT_HEP_CAPTURE_ID = 2001;

export interface HepPacket {
  /** Epoch milliseconds, fractional. */
  at: number;
  ipProtocol: number;
  source: { address: string; port: number };
  destination: { address: string; port: number };
  protocolType: number;
  payload: Buffer;
  correlationId?: string;
}

function chunk(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt16BE(0x0000, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(6 + value.length, 4);
  return Buffer.concat([head, value]);
}

function u8(value: number): Buffer {
  return Buffer.from([value]);
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** One HEPv3 packet. Throws a RangeError when the result would exceed the 16-bit length. */
export function encodeHep3(packet: HepPacket, options: HepOptions = {}): Buffer {
  let source = addressBytes(packet.source.address);
  let destination = addressBytes(packet.destination.address);
  if (source.length !== destination.length) {
    source = toIpv6(source);
    destination = toIpv6(destination);
  }
  const v4 = source.length === 4;
  const micros = Math.round(packet.at * 1000);
  const chunks = [
    chunk(CHUNK.ipFamily, u8(v4 ? AF_INET : AF_INET6)),
    chunk(CHUNK.ipProtocol, u8(packet.ipProtocol)),
    chunk(v4 ? CHUNK.ipv4Source : CHUNK.ipv6Source, Buffer.from(source)),
    chunk(v4 ? CHUNK.ipv4Destination : CHUNK.ipv6Destination, Buffer.from(destination)),
    chunk(CHUNK.sourcePort, u16(packet.source.port)),
    chunk(CHUNK.destinationPort, u16(packet.destination.port)),
    chunk(CHUNK.seconds, u32(Math.floor(micros / 1e6))),
    chunk(CHUNK.microseconds, u32(micros % 1e6)),
    chunk(CHUNK.protocolType, u8(packet.protocolType)),
    chunk(CHUNK.captureId, u32(options.captureId ?? DEFAULT_HEP_CAPTURE_ID)),
  ];
  if (options.password !== undefined) chunks.push(chunk(CHUNK.password, Buffer.from(options.password, 'utf8')));
  chunks.push(chunk(CHUNK.payload, packet.payload));
  if (packet.correlationId) chunks.push(chunk(CHUNK.correlationId, Buffer.from(packet.correlationId, 'utf8')));
  const length = 6 + chunks.reduce((sum, c) => sum + c.length, 0);
  if (length > 0xffff) throw new RangeError(`a HEPv3 packet holds at most 65535 bytes; this one needs ${length}`);
  const header = Buffer.alloc(6);
  header.writeUInt32BE(HEP3_MAGIC, 0);
  header.writeUInt16BE(length, 4);
  return Buffer.concat([header, ...chunks], length);
}

/**
 * A SIP message event as HEP: the real addresses and ports in wire direction, the Call-ID as
 * correlation ID. TLS, WS and WSS are stream transports underneath, so they go as TCP with
 * the clear text, as in the pcapng.
 */
export function hepPacketOfSip(event: SipMessageEvent): HepPacket {
  const out = event.direction === 'out';
  return {
    at: event.at,
    ipProtocol: event.transport === 'udp' ? IP_PROTOCOL_UDP : IP_PROTOCOL_TCP,
    source: out ? event.local : event.remote,
    destination: out ? event.remote : event.local,
    protocolType: HEP_PROTOCOL_SIP,
    payload: Buffer.from(event.raw, 'utf8'),
    correlationId: event.callId,
  };
}
