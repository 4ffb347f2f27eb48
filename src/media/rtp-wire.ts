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
  writeRtpHeader(out, fields.payloadType, fields.marker, fields.sequenceNumber, fields.timestamp, fields.ssrc);
  out.set(payload, RTP_HEADER_BYTES);
  return out;
}

/**
 * The 12-byte fixed header (version 2, no CSRC or extension) into the start of `out`, which the
 * caller reuses: the load media legs send ~50,000 packets a second, and a fields object plus a
 * Buffer per packet was half of what their young generation had to collect.
 */
export function writeRtpHeader(out: Uint8Array, payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number, ssrc: number): void {
  out[0] = 0x80;
  out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out[2] = (sequenceNumber >>> 8) & 0xff;
  out[3] = sequenceNumber & 0xff;
  writeUint32(out, 4, timestamp);
  writeUint32(out, 8, ssrc);
}

function writeUint32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

/** Reads a version-2 RTP packet; undefined if it is too short for what its header declares. */
export function readRtpPacket(bytes: Uint8Array): RtpView | undefined {
  const start = rtpPayloadStart(bytes);
  if (start < 0) return undefined;
  return {
    payloadType: rtpPayloadType(bytes),
    marker: (bytes[1]! & 0x80) !== 0,
    sequenceNumber: rtpSequenceNumber(bytes),
    timestamp: rtpTimestamp(bytes),
    ssrc: rtpSsrc(bytes),
    payloadStart: start,
    payloadEnd: rtpPayloadEnd(bytes),
  };
}

/*
 * The same reads one field at a time, for a receiver that must not allocate per packet (the
 * load media legs). Only after rtpPayloadStart said the packet is whole.
 */

/**
 * Offset of the payload after CSRCs and extension; -1 when `bytes` is not a version-2 packet or
 * is too short for what its header declares (extension, padding).
 */
export function rtpPayloadStart(bytes: Uint8Array): number {
  if (bytes.length < RTP_HEADER_BYTES || bytes[0]! >> 6 !== 2) return -1;
  const first = bytes[0]!;
  let start = RTP_HEADER_BYTES + 4 * (first & 0x0f);
  if (first & 0x10) {
    if (bytes.length < start + 4) return -1;
    start += 4 + 4 * ((bytes[start + 2]! << 8) | bytes[start + 3]!);
  }
  return rtpPayloadEnd(bytes) < start ? -1 : start;
}

/** End of the payload, before any padding (RFC 3550 §5.1 P bit: the last octet counts it). */
export function rtpPayloadEnd(bytes: Uint8Array): number {
  return bytes[0]! & 0x20 ? bytes.length - bytes[bytes.length - 1]! : bytes.length;
}

export const rtpPayloadType = (bytes: Uint8Array): number => bytes[1]! & 0x7f;
export const rtpSequenceNumber = (bytes: Uint8Array): number => (bytes[2]! << 8) | bytes[3]!;
export const rtpTimestamp = (bytes: Uint8Array): number => readUint32(bytes, 4);
export const rtpSsrc = (bytes: Uint8Array): number => readUint32(bytes, 8);

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
