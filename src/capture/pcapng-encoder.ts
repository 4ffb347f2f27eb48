import type { RtpPacketEvent, SipbotsEvent, SipMessageEvent } from '../events/types.js';
import type { Endpoint } from '../sip/transport/types.js';
import { tcpPacket, udpPacket, type PacketEnds } from './packet-headers.js';
import { ReceiverCopies } from './receiver-copies.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from './pcapng-blocks.js';

export interface PcapngOptions {
  /** Seconds of RTP kept per stream, from its first packet (default 10; Infinity keeps all). */
  rtpSeconds?: number;
  /** shb_userappl of the section header. */
  application?: string;
}

export const DEFAULT_RTP_SECONDS = 10;

/** Largest TCP payload per synthesised segment; a longer message spans several segments. */
const MAX_SEGMENT = 65000;

interface TcpDirection {
  next: number;
}

/**
 * Turns events into pcapng blocks, one call per event, so a writer can append each result as
 * it arrives. One interface per party: a message that left alice and reached the proxy is
 * written twice, once as each of them saw it. Stream transports keep per-direction
 * TCP sequence numbers that advance by the payload length, so Wireshark reassembles them
 * without ever having seen a SYN. TLS, WS and WSS are written as clear SIP over that TCP port
 * (we hold the plaintext, not the ciphertext); the packet comment names the real transport.
 */
export class PcapngEncoder {
  private readonly interfaces = new Map<string, number>();
  private readonly tcp = new Map<string, TcpDirection>();
  private readonly rtpStarts = new Map<string, number>();
  private readonly rtpCopies = new ReceiverCopies();
  private ipId = 0;
  private readonly rtpWindowMs: number;

  constructor(private readonly options: PcapngOptions = {}) {
    this.rtpWindowMs = (options.rtpSeconds ?? DEFAULT_RTP_SECONDS) * 1000;
  }

  /** The Section Header Block that must open the file. */
  header(): Buffer {
    return sectionHeaderBlock(this.options.application ?? 'sipbots');
  }

  /** Blocks for one event (an IDB the first time a party is seen, then its packets). */
  encode(event: SipbotsEvent): Buffer[] {
    if (event.type === 'sip') return this.encodeSip(event);
    if (event.type === 'rtp') return this.encodeRtp(event);
    return [];
  }

  private encodeSip(event: SipMessageEvent): Buffer[] {
    const blocks: Buffer[] = [];
    const interfaceId = this.interfaceFor(event.party, blocks);
    const ends = endsOf(event.direction, event.local, event.remote);
    const payload = Buffer.from(event.raw, 'utf8');
    const comment = commentFor(event.party, event.caseId, event.direction, sipNote(event));
    const micros = event.at * 1000;
    if (event.transport === 'udp') {
      blocks.push(enhancedPacketBlock(interfaceId, micros, udpPacket(ends, payload, this.nextIpId()), comment));
      return blocks;
    }
    const forward = this.tcpDirection(ends.source, ends.destination);
    const backward = this.tcpDirection(ends.destination, ends.source);
    for (let offset = 0; offset < payload.length || offset === 0; offset += MAX_SEGMENT) {
      const chunk = payload.subarray(offset, offset + MAX_SEGMENT);
      const packet = tcpPacket(ends, chunk, { seq: forward.next, ack: backward.next }, this.nextIpId());
      forward.next = (forward.next + chunk.length) >>> 0;
      blocks.push(enhancedPacketBlock(interfaceId, micros, packet, comment));
      if (chunk.length === 0) break;
    }
    return blocks;
  }

  /**
   * RTP is written once per packet, as a wire capture shows it: the sender's copy, and the
   * receiver's copy only when nobody we record sent it (an external peer, or a duplicate made
   * by the network). Writing both views made Wireshark see every packet twice, so its RTP
   * stream analysis reported -100% loss and sequence errors on a clean call.
   */
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
    if (event.direction === 'out') this.rtpCopies.sentPacket(key);
    else if (this.rtpCopies.isCopy(key)) return [];
    const blocks: Buffer[] = [];
    const interfaceId = this.interfaceFor(event.party, blocks);
    const comment = commentFor(event.party, event.caseId, event.direction, event.rtcp ? 'RTCP' : 'RTP');
    blocks.push(enhancedPacketBlock(interfaceId, event.at * 1000, udpPacket(ends, event.bytes, this.nextIpId()), comment));
    return blocks;
  }

  private interfaceFor(party: string, blocks: Buffer[]): number {
    let id = this.interfaces.get(party);
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(party, id);
      blocks.push(interfaceDescriptionBlock(party, `sipbots party ${party}: what it sent and received`));
    }
    return id;
  }

  /**
   * Sequence space per direction of a 4-tuple, shared by every party's view. The receiver's
   * copy of a message therefore follows the sender's copy in sequence space instead of
   * repeating it: Wireshark (which keys TCP conversations by address and port, not by
   * interface) then dissects both views as SIP instead of flagging the second one as a
   * retransmission and hiding it.
   */
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

function commentFor(party: string, caseId: string | undefined, direction: 'in' | 'out', what: string): string {
  return `party=${party} case=${caseId ?? '-'} ${direction === 'out' ? 'sent' : 'received'} ${what}`;
}
