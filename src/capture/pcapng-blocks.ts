/**
 * The three pcapng blocks a sipbots capture is made of (draft-ietf-opsawg-pcapng), written
 * little-endian. Every block is framed the same way, so a reader can skip what it does not know
 * and a file cut after any whole block is still a valid capture:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                          Block Type                           |
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *   /                          Block Body                           /
 *   /              (variable length, padded to 32 bits)             /
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *
 * Options inside a body are (code u16, length u16, value padded to 32 bits), ended by code 0.
 */
export const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
export const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
export const BLOCK_ENHANCED_PACKET = 0x00000006;
export const BLOCK_SIMPLE_PACKET = 0x00000003;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** LINKTYPE_RAW: the packet starts with an IPv4 or IPv6 header; no fake MACs needed. */
export const LINKTYPE_RAW = 101;
/**
 * LINKTYPE_ETHERNET: what sipbots writes. libpcap 1.10 (tcpdump, sngrep) compares each later
 * interface's LINKTYPE with the first one's DLT, which differ for RAW (101 vs 12), so only
 * link types whose two numbers agree are safe in a file with more than one interface.
 */
export const LINKTYPE_ETHERNET = 1;

const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;

interface BlockOption {
  code: number;
  value: Buffer;
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

function encodeOptions(options: BlockOption[]): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const option of options) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(option.code, 0);
    head.writeUInt16LE(option.value.length, 2);
    parts.push(head, option.value, Buffer.alloc(pad4(option.value.length)));
  }
  parts.push(Buffer.from([OPT_END, 0, 0, 0]));
  return Buffer.concat(parts);
}

function frameBlock(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const block = Buffer.alloc(total);
  block.writeUInt32LE(type, 0);
  block.writeUInt32LE(total, 4);
  body.copy(block, 8);
  block.writeUInt32LE(total, total - 4);
  return block;
}

/*
 * Section Header Block body
 *   +---------------------------------------------------------------+
 *   |                      Byte-Order Magic (0x1A2B3C4D)            |
 *   |        Major Version (1)      |        Minor Version (0)      |
 *   |                 Section Length (-1: not given, 64 bits)       |
 *   /                 Options (shb_userappl)                        /
 *   +---------------------------------------------------------------+
 */
export function sectionHeaderBlock(application: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8);
  const options = encodeOptions([{ code: SHB_USERAPPL, value: Buffer.from(application, 'utf8') }]);
  return frameBlock(BLOCK_SECTION_HEADER, Buffer.concat([fixed, options]));
}

/*
 * Interface Description Block body
 *   +---------------------------------------------------------------+
 *   |           LinkType            |           Reserved            |
 *   |                            SnapLen                            |
 *   /      Options (if_name, if_description, if_tsresol = 6: µs)    /
 *   +---------------------------------------------------------------+
 */
export function interfaceDescriptionBlock(name: string, description: string, linkType = LINKTYPE_RAW): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(linkType, 0);
  fixed.writeUInt32LE(0, 4); // 0: no snap length limit
  const options = encodeOptions([
    { code: IF_NAME, value: Buffer.from(name, 'utf8') },
    { code: IF_DESCRIPTION, value: Buffer.from(description, 'utf8') },
    { code: IF_TSRESOL, value: Buffer.from([6]) },
  ]);
  return frameBlock(BLOCK_INTERFACE_DESCRIPTION, Buffer.concat([fixed, options]));
}

/*
 * Enhanced Packet Block body
 *   +---------------------------------------------------------------+
 *   |                         Interface ID                          |
 *   |                    Timestamp (High 32 bits)                   |
 *   |                    Timestamp (Low 32 bits)                    |
 *   |                Captured Packet Length                         |
 *   |                Original Packet Length                         |
 *   /                Packet Data (padded to 32 bits)                /
 *   /                Options (opt_comment)                          /
 *   +---------------------------------------------------------------+
 */
export function enhancedPacketBlock(interfaceId: number, timestampMicros: number, packet: Buffer, comment?: string): Buffer {
  const micros = Math.max(0, Math.round(timestampMicros));
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(interfaceId, 0);
  fixed.writeUInt32LE(Math.floor(micros / 2 ** 32), 4);
  fixed.writeUInt32LE(micros % 2 ** 32, 8);
  fixed.writeUInt32LE(packet.length, 12);
  fixed.writeUInt32LE(packet.length, 16);
  const options = comment === undefined ? Buffer.alloc(0) : encodeOptions([{ code: OPT_COMMENT, value: Buffer.from(comment, 'utf8') }]);
  return frameBlock(BLOCK_ENHANCED_PACKET, Buffer.concat([fixed, packet, Buffer.alloc(pad4(packet.length)), options]));
}
