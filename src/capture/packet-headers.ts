import { addressBytes, toIpv6 } from './ip-address.js';

/**
 * Synthesises the IP and UDP/TCP headers around a payload so that a capture of what our
 * parties sent and received reads like a capture from the wire. Every checksum is real, so
 * Wireshark's checksum validation (off by default, on in our tests) finds nothing to flag.
 */
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;

export interface PacketEnds {
  source: { address: string; port: number };
  destination: { address: string; port: number };
}

export interface TcpSegmentFields {
  seq: number;
  ack: number;
}

/** TCP flags of every segment we write: data on an established connection (RFC 9293 §3.1). */
const TCP_PSH_ACK = 0x18;
const TCP_WINDOW = 65535;

/** RFC 1071 one's-complement sum over 16-bit words; pass the running sum to continue it. */
export function onesComplementSum(bytes: Uint8Array, sum = 0): number {
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  return sum;
}

export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Builds one IP packet (IPv4, or IPv6 when either end is IPv6) carrying a UDP datagram. */
export function udpPacket(ends: PacketEnds, payload: Uint8Array, ipId: number): Buffer {
  /*
   * RFC 768 UDP header
   *  0      7 8     15 16    23 24    31
   * +--------+--------+--------+--------+
   * |   Source Port   |  Destination    |
   * +--------+--------+--------+--------+
   * |     Length      |    Checksum     |
   * +--------+--------+--------+--------+
   */
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(ends.source.port, 0);
  udp.writeUInt16BE(ends.destination.port, 2);
  udp.writeUInt16BE(udp.length, 4);
  udp.set(payload, 8);
  return ipPacket(ends, IP_PROTOCOL_UDP, udp, ipId, 6);
}

/** Builds one IP packet carrying a TCP segment with PSH|ACK and the given sequence numbers. */
export function tcpPacket(ends: PacketEnds, payload: Uint8Array, fields: TcpSegmentFields, ipId: number): Buffer {
  /*
   * RFC 9293 §3.1 TCP header (no options, data offset 5)
   *  0                   1                   2                   3
   *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   * |          Source Port          |       Destination Port        |
   * |                        Sequence Number                        |
   * |                    Acknowledgment Number                      |
   * | Offset|  Rsrvd|     Flags     |            Window             |
   * |           Checksum            |         Urgent Pointer        |
   * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   */
  const tcp = Buffer.alloc(20 + payload.length);
  tcp.writeUInt16BE(ends.source.port, 0);
  tcp.writeUInt16BE(ends.destination.port, 2);
  tcp.writeUInt32BE(fields.seq >>> 0, 4);
  tcp.writeUInt32BE(fields.ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = TCP_PSH_ACK;
  tcp.writeUInt16BE(TCP_WINDOW, 14);
  tcp.set(payload, 20);
  return ipPacket(ends, IP_PROTOCOL_TCP, tcp, ipId, 16);
}

function ipPacket(ends: PacketEnds, protocol: number, segment: Buffer, ipId: number, checksumOffset: number): Buffer {
  let source = addressBytes(ends.source.address);
  let destination = addressBytes(ends.destination.address);
  if (source.length !== destination.length) {
    source = toIpv6(source);
    destination = toIpv6(destination);
  }
  // Pseudo-header (RFC 768; RFC 8200 §8.1 for IPv6): addresses, protocol, upper-layer length.
  let sum = onesComplementSum(source);
  sum = onesComplementSum(destination, sum);
  sum += protocol + segment.length;
  let checksum = finishChecksum(onesComplementSum(segment, sum));
  // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none").
  if (checksum === 0 && protocol === IP_PROTOCOL_UDP) checksum = 0xffff;
  segment.writeUInt16BE(checksum, checksumOffset);
  return source.length === 4 ? ipv4(source, destination, protocol, segment, ipId) : ipv6(source, destination, protocol, segment);
}

function ipv4(source: Uint8Array, destination: Uint8Array, protocol: number, segment: Buffer, ipId: number): Buffer {
  /*
   * RFC 791 §3.1 IPv4 header (IHL 5, no options)
   * +-------+-------+---------------+-------------------------------+
   * |Version|  IHL  |Type of Service|          Total Length         |
   * |         Identification        |Flags|      Fragment Offset    |
   * |  Time to Live |    Protocol   |         Header Checksum       |
   * |                       Source Address                          |
   * |                    Destination Address                        |
   * +---------------------------------------------------------------+
   */
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(Math.min(0xffff, 20 + segment.length), 2);
  header.writeUInt16BE(ipId & 0xffff, 4);
  header.writeUInt16BE(0x4000, 6); // Don't Fragment: we never fragment what we synthesise
  header[8] = 64;
  header[9] = protocol;
  header.set(source, 12);
  header.set(destination, 16);
  header.writeUInt16BE(finishChecksum(onesComplementSum(header)), 10);
  return Buffer.concat([header, segment]);
}

function ipv6(source: Uint8Array, destination: Uint8Array, protocol: number, segment: Buffer): Buffer {
  /*
   * RFC 8200 §3 IPv6 header
   * +-------+---------------+---------------------------------------+
   * |Version| Traffic Class |              Flow Label               |
   * |        Payload Length         |  Next Header  |   Hop Limit   |
   * |                  Source Address (128 bits)                    |
   * |               Destination Address (128 bits)                  |
   * +---------------------------------------------------------------+
   */
  const header = Buffer.alloc(40);
  header[0] = 0x60;
  header.writeUInt16BE(Math.min(0xffff, segment.length), 4);
  header[6] = protocol;
  header[7] = 64;
  header.set(source, 8);
  header.set(destination, 24);
  return Buffer.concat([header, segment]);
}
