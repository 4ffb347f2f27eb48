/**
 * RTCP sender and receiver reports (RFC 3550 §6.4), sent as compound packets: SR or RR first,
 * then SDES with a CNAME (§6.1 requires both). SR/RR use werift's packet classes; SDES is built
 * here because werift omits the chunk's terminating null item when the text happens to end on
 * a 32-bit boundary (§6.5 requires at least one null octet).
 *
 *   SDES (§6.5):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|    SC   |  PT=SDES=202  |             length            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |                          SSRC/CSRC_1                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    CNAME=1    |     length    | user and domain name        ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

import { RtcpPacketConverter, RtcpReceiverInfo, RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket } from 'werift';
import type { ReceptionReport } from './rtp-stats.js';

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
const NTP_EPOCH_OFFSET_S = 2_208_988_800;

export function ntpFromMs(epochMs: number): bigint {
  const seconds = Math.floor(epochMs / 1000);
  const fraction = Math.floor(((epochMs - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + NTP_EPOCH_OFFSET_S) << 32n) | BigInt(fraction);
}

/** The middle 32 bits of an NTP timestamp: the unit of LSR and of round-trip arithmetic. */
export function ntpMiddle32(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

export interface RtcpReportInput {
  ssrc: number;
  cname: string;
  nowMs: number;
  /** Present when we have sent RTP: makes the report an SR. */
  sender?: { rtpTimestamp: number; packetCount: number; octetCount: number };
  /** Present when we have received RTP: one report block about the remote source. */
  block?: ReceptionReport & { ssrc: number; lsr: number; dlsr: number };
}

export function buildRtcpReport(input: RtcpReportInput): Buffer {
  const reports = input.block
    ? [
        new RtcpReceiverInfo({
          ssrc: input.block.ssrc,
          fractionLost: input.block.fractionLost,
          packetsLost: input.block.cumulativeLost,
          highestSequence: input.block.extendedHighestSequence,
          jitter: input.block.jitter,
          lsr: input.block.lsr,
          dlsr: input.block.dlsr,
        }),
      ]
    : [];
  const report = input.sender
    ? new RtcpSrPacket({
        ssrc: input.ssrc,
        senderInfo: new RtcpSenderInfo({
          ntpTimestamp: ntpFromMs(input.nowMs),
          rtpTimestamp: input.sender.rtpTimestamp >>> 0,
          packetCount: input.sender.packetCount >>> 0,
          octetCount: input.sender.octetCount >>> 0,
        }),
        reports,
      })
    : new RtcpRrPacket({ ssrc: input.ssrc, reports });
  return Buffer.concat([report.serialize(), buildSdesCname(input.ssrc, input.cname)]);
}

export function buildSdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname, 'utf8').subarray(0, 255);
  const chunkLength = 4 + 2 + text.length + 1; // SSRC, CNAME item, at least one null octet
  const padded = Math.ceil(chunkLength / 4) * 4;
  const out = Buffer.alloc(4 + padded);
  out[0] = 0x80 | 1; // V=2, SC=1
  out[1] = 202;
  out.writeUInt16BE(padded / 4, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  out[8] = 1; // CNAME
  out[9] = text.length;
  text.copy(out, 10);
  return out;
}

/** What we keep from the peer's reports. */
export interface PeerRtcpState {
  reportsReceived: number;
  lastSenderReport?: { ntp: bigint; rtpTimestamp: number; packetCount: number; octetCount: number; receivedAtMs: number };
  /** The latest report block the peer sent about our stream. */
  lastReportAboutUs?: { fractionLost: number; cumulativeLost: number; jitter: number; highestSequence: number };
  /** Round trip from LSR/DLSR (RFC 3550 §6.4.1), ms. */
  roundTripMs?: number;
}

export function applyPeerRtcp(state: PeerRtcpState, data: Buffer, ourSsrc: number, nowMs: number): void {
  for (const packet of RtcpPacketConverter.deSerialize(data)) {
    if (packet instanceof RtcpSrPacket) {
      state.reportsReceived++;
      state.lastSenderReport = {
        ntp: BigInt(packet.senderInfo.ntpTimestamp),
        rtpTimestamp: packet.senderInfo.rtpTimestamp,
        packetCount: packet.senderInfo.packetCount,
        octetCount: packet.senderInfo.octetCount,
        receivedAtMs: nowMs,
      };
      applyBlocks(state, packet.reports, ourSsrc, nowMs);
    } else if (packet instanceof RtcpRrPacket) {
      state.reportsReceived++;
      applyBlocks(state, packet.reports, ourSsrc, nowMs);
    }
  }
}

function applyBlocks(state: PeerRtcpState, blocks: RtcpReceiverInfo[], ourSsrc: number, nowMs: number): void {
  for (const block of blocks) {
    if (block.ssrc >>> 0 !== ourSsrc >>> 0) continue;
    state.lastReportAboutUs = { fractionLost: block.fractionLost, cumulativeLost: block.packetsLost, jitter: block.jitter, highestSequence: block.highestSequence };
    if (block.lsr !== 0) {
      const a = ntpMiddle32(ntpFromMs(nowMs));
      const rtt = (a - block.lsr - block.dlsr) >>> 0;
      if (rtt < 0x80000000) state.roundTripMs = (rtt / 65536) * 1000;
    }
  }
}
