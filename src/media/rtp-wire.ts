/**
 * The RTP fixed header (RFC 3550 §5.1) on the per-packet hot path, written and read without
 * per-packet ArrayBuffers:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |            contributing source (CSRC) identifiers  (CC × 32)  |
 *   |   header extension (X: 16-bit profile, 16-bit length in words)|
 *
 * Why not werift's RtpPacket here: its serialize() takes a zero-filled Buffer.alloc (one
 * ArrayBuffer per packet) and its parser builds arrays per packet; at 20,000 packets/s each
 * way those ArrayBuffers made young-generation GC pauses of ~5 ms every ~40 ms, the largest
 * source of send-interval jitter in bench/media.ts. werift stays the reference: the tests check
 * both directions against it byte for byte, and RTCP still goes through werift.
 */

export interface RtpFields {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

export interface RtpView extends RtpFields {
  /** Offset of the payload after CSRCs and extension. */
  payloadStart: number;
  /** End of the payload, before any padding (RFC 3550 §5.1 P bit: last octet counts it). */
  payloadEnd: number;
}

export const RTP_HEADER_BYTES = 12;

/** A version-2 packet, no CSRC or extension; the Buffer comes from Node's shared pool. */
export function writeRtpPacket(fields: RtpFields, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  out[0] = 0x80;
  out[1] = (fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7f);
  out.writeUInt16BE(fields.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(fields.timestamp >>> 0, 4);
  out.writeUInt32BE(fields.ssrc >>> 0, 8);
  out.set(payload, RTP_HEADER_BYTES);
  return out;
}

/** Reads a version-2 RTP packet; undefined if it is too short for what its header declares. */
export function readRtpPacket(bytes: Uint8Array): RtpView | undefined {
  if (bytes.length < RTP_HEADER_BYTES || bytes[0]! >> 6 !== 2) return undefined;
  const first = bytes[0]!;
  let start = RTP_HEADER_BYTES + 4 * (first & 0x0f);
  if (first & 0x10) {
    if (bytes.length < start + 4) return undefined;
    start += 4 + 4 * ((bytes[start + 2]! << 8) | bytes[start + 3]!);
  }
  let end = bytes.length;
  if (first & 0x20) end -= bytes[bytes.length - 1]!;
  if (end < start) return undefined;
  return {
    payloadType: bytes[1]! & 0x7f,
    marker: (bytes[1]! & 0x80) !== 0,
    sequenceNumber: (bytes[2]! << 8) | bytes[3]!,
    timestamp: ((bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) >>> 0,
    ssrc: ((bytes[8]! << 24) | (bytes[9]! << 16) | (bytes[10]! << 8) | bytes[11]!) >>> 0,
    payloadStart: start,
    payloadEnd: end,
  };
}
