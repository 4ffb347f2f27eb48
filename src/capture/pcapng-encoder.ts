import type { RtpPacketEvent, SipbotsEvent, SipMessageEvent } from '../events/types.js';
import type { Endpoint } from '../sip/transport/types.js';
import { tcpPacket, udpPacket, type PacketEnds } from './packet-headers.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, LINKTYPE_ETHERNET, sectionHeaderBlock } from './pcapng-blocks.js';
import { WireQueue, type WirePacket } from './wire-queue.js';

export interface PcapngOptions {
  /** Seconds of RTP kept per stream, from its first packet (default 10; Infinity keeps all). */
  rtpSeconds?: number;
  /** shb_userappl of the section header. */
  application?: string;
}

export const DEFAULT_RTP_SECONDS = 10;

/** Largest TCP payload per synthesised segment; a longer message spans several segments. */
const MAX_SEGMENT = 65000;

/** The one interface of the file, named like the Linux loopback device it imitates. */
export const WIRE_INTERFACE = 'lo';
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

interface TcpDirection {
  next: number;
}

/**
 * Turns events into pcapng blocks as a tap on the shared loopback wire would see them: one
 * interface, Ethernet framing with zero MACs (what Linux `lo` captures carry, and the link type
 * every libpcap reader takes), and each packet once. The parties' views are merged by a
 * WireQueue: a message alice sent and the proxy received is one frame whose comment names both
 * (`party=alice party=proxy`), so Wireshark's `frame.comment contains "party=alice"` shows
 * alice's view. A retransmission is sent again and stays one more frame. Stream transports keep
 * per-direction TCP sequence numbers that advance by the payload length, so Wireshark
 * reassembles them without ever having seen a SYN. TLS, WS and WSS are written as clear SIP
 * over that TCP port (we hold the plaintext, not the ciphertext); the comment names the real
 * transport.
 */
export class PcapngEncoder {
  private readonly tcp = new Map<string, TcpDirection>();
  private readonly rtpStarts = new Map<string, number>();
  private readonly wire = new WireQueue<SipMessageEvent | RtpPacketEvent>();
  private ipId = 0;
  private readonly rtpWindowMs: number;

  constructor(private readonly options: PcapngOptions = {}) {
    this.rtpWindowMs = (options.rtpSeconds ?? DEFAULT_RTP_SECONDS) * 1000;
  }

  /** The Section Header Block and the one Interface Description Block that open the file. */
  header(): Buffer {
    return Buffer.concat([
      sectionHeaderBlock(this.options.application ?? 'sipbots'),
      interfaceDescriptionBlock(WIRE_INTERFACE, 'the loopback wire between the parties; frame comments name who sent and who received', LINKTYPE_ETHERNET),
    ]);
  }

  /** Blocks for the packets that became ready with this event (earlier ones may be held). */
  encode(event: SipbotsEvent): Buffer[] {
    if (event.type === 'sip') return this.write(this.wire.add(event.direction, event.party, sipKey(event), event.at, event));
    if (event.type === 'rtp') return this.encodeRtp(event);
    return [];
  }

  /** Blocks for every packet still held; call once when the run is over. */
  finish(): Buffer[] {
    return this.write(this.wire.drain());
  }

  /** RTP past the window of its stream is dropped from both views alike. */
  private encodeRtp(event: RtpPacketEvent): Buffer[] {
    const ends = endsOf(event.direction, event.local, event.remote);
    const flow = `${endpointKey(ends.source)}>${endpointKey(ends.destination)}`;
    if (!event.rtcp) {
      const start = this.rtpStarts.get(flow);
      if (start === undefined) this.rtpStarts.set(flow, event.at);
      else if (event.at - start > this.rtpWindowMs) return [];
    }
    const bytes = Buffer.from(event.bytes.buffer, event.bytes.byteOffset, event.bytes.byteLength);
    // An RTP header (sequence, timestamp, SSRC) names a packet; RTCP is short: all its bytes.
    const key = `${flow}|${(event.rtcp ? bytes : bytes.subarray(0, 12)).toString('hex')}`;
    return this.write(this.wire.add(event.direction, event.party, key, event.at, event));
  }

  private write(packets: WirePacket<SipMessageEvent | RtpPacketEvent>[]): Buffer[] {
    const blocks: Buffer[] = [];
    for (const packet of packets) {
      const event = packet.item;
      const ends = endsOf(event.direction, event.local, event.remote);
      const what = event.type === 'sip' ? sipNote(event) : event.rtcp ? 'RTCP' : 'RTP';
      const comment = commentFor(packet, event.caseId, what);
      const micros = packet.at * 1000;
      if (event.type === 'rtp') blocks.push(frame(micros, udpPacket(ends, event.bytes, this.nextIpId()), comment));
      else if (event.transport === 'udp') blocks.push(frame(micros, udpPacket(ends, Buffer.from(event.raw, 'utf8'), this.nextIpId()), comment));
      else blocks.push(...this.tcpSegments(ends, Buffer.from(event.raw, 'utf8'), micros, comment));
    }
    return blocks;
  }

  private tcpSegments(ends: PacketEnds, payload: Buffer, micros: number, comment: string): Buffer[] {
    const blocks: Buffer[] = [];
    const forward = this.tcpDirection(ends.source, ends.destination);
    const backward = this.tcpDirection(ends.destination, ends.source);
    for (let offset = 0; offset < payload.length || offset === 0; offset += MAX_SEGMENT) {
      const chunk = payload.subarray(offset, offset + MAX_SEGMENT);
      const packet = tcpPacket(ends, chunk, { seq: forward.next, ack: backward.next }, this.nextIpId());
      forward.next = (forward.next + chunk.length) >>> 0;
      blocks.push(frame(micros, packet, comment));
      if (chunk.length === 0) break;
    }
    return blocks;
  }

  /** Sequence space per direction of a 4-tuple, starting at a number derived from it. */
  private tcpDirection(source: Endpoint, destination: Endpoint): TcpDirection {
    const key = `${endpointKey(source)}>${endpointKey(destination)}`;
    let state = this.tcp.get(key);
    if (!state) {
      state = { next: initialSequence(key) };
      this.tcp.set(key, state);
    }
    return state;
  }

  private nextIpId(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    return this.ipId;
  }
}

/** Encodes a whole event list into one pcapng file (tests, `sipbots capture` after the fact). */
export function encodePcapng(events: Iterable<SipbotsEvent>, options?: PcapngOptions): Buffer {
  const encoder = new PcapngEncoder(options);
  const blocks = [encoder.header()];
  for (const event of events) blocks.push(...encoder.encode(event));
  blocks.push(...encoder.finish());
  return Buffer.concat(blocks);
}

function endsOf(direction: 'in' | 'out', local: Endpoint, remote: Endpoint): PacketEnds {
  return direction === 'out' ? { source: local, destination: remote } : { source: remote, destination: local };
}

function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.address}:${endpoint.port}`;
}

/** A stable initial sequence number per direction, so both views of a flow agree. */
function initialSequence(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

function sipNote(event: SipMessageEvent): string {
  const parts = [`SIP over ${event.transport.toUpperCase()}`];
  if (event.transport === 'tls' || event.transport === 'wss') parts.push('(decrypted, written as clear SIP over TCP)');
  if (event.transport === 'ws') parts.push('(WebSocket framing removed, written as SIP over TCP)');
  if (event.retransmission) parts.push('retransmission');
  if (event.parseError) parts.push(`unparsable: ${event.parseError}`);
  return parts.join(' ');
}

/** The key of a SIP message: its flow and its bytes (a retransmission repeats both). */
function sipKey(event: SipMessageEvent): string {
  const ends = endsOf(event.direction, event.local, event.remote);
  return `${event.transport}|${endpointKey(ends.source)}>${endpointKey(ends.destination)}|${event.raw}`;
}

/**
 * Ethernet II framing with zero MACs, as Linux writes frames on `lo`:
 *   destination MAC (6) | source MAC (6) | EtherType (2: 0x0800 IPv4, 0x86DD IPv6)
 */
function frame(micros: number, ip: Buffer, comment: string): Buffer {
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(ip[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, 12);
  return enhancedPacketBlock(0, micros, Buffer.concat([ethernet, ip]), comment);
}

/**
 * `party=alice party=proxy case=reject alice -> proxy: SIP over UDP`: both recorded ends, so a
 * `frame.comment contains "party=alice"` filter gives alice's view; `?` is an end outside the
 * run (an external server) or a receiver that never got the packet.
 */
function commentFor(packet: WirePacket<unknown>, caseId: string | undefined, what: string): string {
  const parties = [packet.sender, packet.receiver].filter((p): p is string => p !== undefined);
  const names = [...new Set(parties)].map((p) => `party=${p}`).join(' ');
  return `${names} case=${caseId ?? '-'} ${packet.sender ?? '?'} -> ${packet.receiver ?? '?'}: ${what}`;
}
