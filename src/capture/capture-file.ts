import { gunzipSync } from 'node:zlib';
import { CaptureFormatError } from './capture-errors.js';
import { isGzip, otherFormat } from './capture-formats.js';

/** One captured frame, still with its link-layer header. `at` is epoch milliseconds. */
export interface CaptureFrame {
  at: number;
  linkType: number;
  interfaceId: number;
  interfaceName?: string;
  data: Buffer;
  /** Length of the frame on the wire; longer than `data` when the snap length cut it. */
  originalLength?: number;
  /** pcapng opt_comment of the packet (sipbots writes `party=… case=… sent SIP`). */
  comment?: string;
  /** Where the frame's record or block starts in the file, for error messages. */
  offset: number;
}

export interface CaptureFileOptions {
  /** Keep the frames before a cut-off last record instead of failing (a crashed writer's file). */
  allowTruncated?: boolean;
  /** File name for error messages. */
  file?: string;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  frames: CaptureFrame[];
  /** Set when the file was gzip-compressed and read through gunzip. */
  compressed?: 'gzip';
  /** With allowTruncated: why and where reading stopped before the end of the file. */
  truncated?: { reason: string; offset: number };
}

type Truncation = CaptureFile['truncated'];

/** No real capture has frames this large; a length past it is corruption, not data. */
const MAX_RECORD = 16 * 1024 * 1024;

/**
 * Splits a classic pcap or a pcapng file into frames. Every length is checked against the
 * bytes that are really there before it is used, and every step moves forward by at least one
 * record header, so corrupt input ends in a CaptureFormatError, never a hang or a huge buffer.
 */
export function readCaptureFile(buffer: Buffer, options: CaptureFileOptions = {}): CaptureFile {
  if (buffer.length < 4) throw new CaptureFormatError(`file is ${buffer.length} bytes long, too short for any capture header`, 0, options.file);
  if (isGzip(buffer)) return { ...readCaptureFile(gunzip(buffer, options.file), options), compressed: 'gzip' };
  const magic = buffer.readUInt32BE(0);
  const cut: { at?: Truncation } = {};
  if (magic === 0x0a0d0d0a) {
    const frames = readPcapng(buffer, options, cut);
    return { format: 'pcapng', frames, ...(cut.at ? { truncated: cut.at } : {}) };
  }
  const classic = classicMagic(magic);
  if (classic) {
    const frames = readPcap(buffer, classic, options, cut);
    return { format: 'pcap', frames, ...(cut.at ? { truncated: cut.at } : {}) };
  }
  throw new CaptureFormatError(otherFormat(buffer, options.file) ?? `magic 0x${magic.toString(16).padStart(8, '0')} is neither pcap nor pcapng`, 0, options.file);
}

/** Captures compress well; a bound keeps a hostile file from filling memory. */
const MAX_GUNZIPPED = 2 * 1024 ** 3;

function gunzip(buffer: Buffer, file?: string): Buffer {
  try {
    return gunzipSync(buffer, { maxOutputLength: MAX_GUNZIPPED });
  } catch (error) {
    const reason = `gzip-compressed file that does not decompress (${(error as Error).message}); try: gunzip -c ${file ?? 'FILE'} > out.pcap`;
    throw new CaptureFormatError(reason, 0, file, { cause: error });
  }
}

interface ClassicFormat {
  littleEndian: boolean;
  nanoseconds: boolean;
}

function classicMagic(magicBE: number): ClassicFormat | undefined {
  switch (magicBE) {
    case 0xa1b2c3d4:
      return { littleEndian: false, nanoseconds: false };
    case 0xd4c3b2a1:
      return { littleEndian: true, nanoseconds: false };
    case 0xa1b23c4d:
      return { littleEndian: false, nanoseconds: true };
    case 0x4d3cb2a1:
      return { littleEndian: true, nanoseconds: true };
    default:
      return undefined;
  }
}

/*
 * Classic pcap: a 24-byte file header, then records of a 16-byte header and the frame.
 *   file:   magic u32 | major u16 | minor u16 | thiszone i32 | sigfigs u32 | snaplen u32 | linktype u32
 *   record: ts_sec u32 | ts_usec-or-nsec u32 | incl_len u32 | orig_len u32 | data[incl_len]
 */
function readPcap(buffer: Buffer, format: ClassicFormat, options: CaptureFileOptions, cut: { at?: Truncation }): CaptureFrame[] {
  const u32 = (at: number) => (format.littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
  if (buffer.length < 24) throw new CaptureFormatError('pcap file header cut short', buffer.length, options.file);
  // The upper bits of the link-type field carry FCS information (pcap spec §4).
  const linkType = u32(20) & 0x0fffffff;
  const frames: CaptureFrame[] = [];
  let offset = 24;
  while (offset < buffer.length) {
    if (buffer.length - offset < 16) {
      if (options.allowTruncated) {
        cut.at = { reason: 'record header cut short', offset };
        break;
      }
      throw new CaptureFormatError('record header cut short', offset, options.file);
    }
    const seconds = u32(offset);
    const fraction = u32(offset + 4);
    const length = u32(offset + 8);
    if (length > MAX_RECORD) throw new CaptureFormatError(`record length ${length} is implausible`, offset, options.file);
    if (offset + 16 + length > buffer.length) {
      if (options.allowTruncated) {
        cut.at = { reason: `record of ${length} bytes runs past the end of the file`, offset };
        break;
      }
      throw new CaptureFormatError(`record of ${length} bytes runs past the end of the file`, offset, options.file);
    }
    const at = seconds * 1000 + (format.nanoseconds ? fraction / 1e6 : fraction / 1e3);
    const originalLength = u32(offset + 12);
    frames.push({ at, linkType, interfaceId: 0, data: buffer.subarray(offset + 16, offset + 16 + length), originalLength, offset });
    offset += 16 + length;
  }
  return frames;
}

interface PcapngInterface {
  linkType: number;
  name?: string;
  unitsPerSecond: number;
  offsetSeconds: number;
}

/*
 * pcapng: a sequence of blocks (type u32 | total length u32 | body | total length u32) in
 * sections, each opened by a Section Header Block whose byte-order magic sets the endianness
 * of everything up to the next one. See pcapng-blocks.ts for the body layouts.
 */
function readPcapng(buffer: Buffer, options: CaptureFileOptions, cut: { at?: Truncation }): CaptureFrame[] {
  const frames: CaptureFrame[] = [];
  let littleEndian = true;
  let interfaces: PcapngInterface[] = [];
  let offset = 0;
  const fail = (reason: string, at: number): never => {
    throw new CaptureFormatError(reason, at, options.file);
  };
  while (offset < buffer.length) {
    if (buffer.length - offset < 12) {
      if (options.allowTruncated) {
        cut.at = { reason: 'block header cut short', offset };
        break;
      }
      fail('block header cut short', offset);
    }
    const typeBE = buffer.readUInt32BE(offset);
    if (typeBE === 0x0a0d0d0a) {
      if (buffer.length - offset < 28) fail('section header block cut short', offset);
      const bom = buffer.readUInt32LE(offset + 8);
      if (bom === 0x1a2b3c4d) littleEndian = true;
      else if (bom === 0x4d3c2b1a) littleEndian = false;
      else fail(`bad byte-order magic 0x${bom.toString(16)}`, offset + 8);
      interfaces = [];
    }
    const u32 = (at: number) => (littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
    const u16 = (at: number) => (littleEndian ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
    const type = u32(offset);
    const length = u32(offset + 4);
    if (length < 12 || length % 4 !== 0) fail(`block length ${length} is not a multiple of 4 of at least 12`, offset + 4);
    if (length > MAX_RECORD + 64) fail(`block length ${length} is implausible`, offset + 4);
    if (offset + length > buffer.length) {
      if (options.allowTruncated) {
        cut.at = { reason: `block of ${length} bytes runs past the end of the file`, offset };
        break;
      }
      fail(`block of ${length} bytes runs past the end of the file`, offset);
    }
    if (u32(offset + length - 4) !== length) fail('trailing block length differs from the leading one', offset + length - 4);
    const end = offset + length - 4;
    if (type === 1) {
      if (length < 20) fail('interface description block too short', offset);
      interfaces.push(readInterface(buffer, offset, end, littleEndian, fail));
    } else if (type === 6 || type === 2) {
      if (length < 32) fail('packet block too short', offset);
      const interfaceId = type === 6 ? u32(offset + 8) : u16(offset + 8);
      const iface = interfaces[interfaceId] ?? fail(`packet on undeclared interface ${interfaceId}`, offset + 8);
      const captured = u32(offset + 20);
      if (offset + 28 + captured > end) fail(`captured length ${captured} runs past its block`, offset + 20);
      const ticks = u32(offset + 12) * 2 ** 32 + u32(offset + 16);
      const at = (ticks / iface.unitsPerSecond + iface.offsetSeconds) * 1000;
      const data = buffer.subarray(offset + 28, offset + 28 + captured);
      const comment = packetComment(buffer, offset + 28 + captured + ((4 - (captured % 4)) % 4), end, u16);
      frames.push({ at, linkType: iface.linkType, interfaceId, interfaceName: iface.name, data, originalLength: u32(offset + 24), offset, ...(comment ? { comment } : {}) });
    } else if (type === 3) {
      const iface = interfaces[0] ?? fail('simple packet block before any interface', offset);
      const original = u32(offset + 8);
      const captured = Math.min(original, length - 16);
      // Simple Packet Blocks carry no timestamp; keep the previous frame's time.
      const at = frames[frames.length - 1]?.at ?? 0;
      frames.push({ at, linkType: iface.linkType, interfaceId: 0, interfaceName: iface.name, data: buffer.subarray(offset + 12, offset + 12 + captured), offset });
    }
    offset += length;
  }
  return frames;
}

/** The first opt_comment (code 1) among a packet block's options, if any. */
function packetComment(buffer: Buffer, start: number, end: number, u16: (at: number) => number): string | undefined {
  for (let at = start; at + 4 <= end; ) {
    const code = u16(at);
    const size = u16(at + 2);
    if (code === 0 || at + 4 + size > end) return undefined;
    if (code === 1) return buffer.subarray(at + 4, at + 4 + size).toString('utf8');
    at += 4 + size + ((4 - (size % 4)) % 4);
  }
  return undefined;
}

function readInterface(
  buffer: Buffer,
  offset: number,
  end: number,
  littleEndian: boolean,
  fail: (reason: string, at: number) => never,
): PcapngInterface {
  const u16 = (at: number) => (littleEndian ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
  const iface: PcapngInterface = { linkType: u16(offset + 8), unitsPerSecond: 1e6, offsetSeconds: 0 };
  let at = offset + 16;
  while (at + 4 <= end) {
    const code = u16(at);
    const size = u16(at + 2);
    if (code === 0) break;
    if (at + 4 + size > end) fail(`option ${code} of ${size} bytes runs past its block`, at);
    const value = buffer.subarray(at + 4, at + 4 + size);
    if (code === 2) iface.name = value.toString('utf8');
    else if (code === 9 && size >= 1) {
      const v = value[0]!;
      iface.unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
    } else if (code === 14 && size >= 8) {
      iface.offsetSeconds = Number(littleEndian ? buffer.readBigInt64LE(at + 4) : buffer.readBigInt64BE(at + 4));
    }
    at += 4 + size + ((4 - (size % 4)) % 4);
  }
  return iface;
}
