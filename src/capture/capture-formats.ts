/**
 * Files that are not pcap or pcapng but that people hand to a pcap reader: named, with the
 * command that turns them into something we read (Wireshark's editcap reads them all).
 */
interface KnownFormat {
  name: string;
  matches(buffer: Buffer, file?: string): boolean;
  fix: string;
}

const startsWith = (buffer: Buffer, text: string) => buffer.subarray(0, text.length).toString('latin1') === text;
const editcap = (file?: string) => `convert it with: editcap -F pcap ${file ?? 'FILE'} ${file ? `${file.replace(/\.[^./]*$/, '')}.pcap` : 'out.pcap'}`;

const FORMATS: KnownFormat[] = [
  { name: 'a Microsoft Network Monitor 2.x capture', matches: (b) => startsWith(b, 'GMBU'), fix: 'editcap' },
  { name: 'a Microsoft Network Monitor 1.x capture', matches: (b) => startsWith(b, 'RTSS'), fix: 'editcap' },
  { name: 'a snoop capture (Solaris)', matches: (b) => startsWith(b, 'snoop\0\0\0'), fix: 'editcap' },
  { name: 'a Sniffer (DOS) capture', matches: (b) => startsWith(b, 'TRSNIFF data'), fix: 'editcap' },
  { name: 'an AIX iptrace capture', matches: (b) => startsWith(b, 'iptrace '), fix: 'editcap' },
  { name: 'a modified (Kuznetzov) pcap', matches: (b) => b.readUInt32BE(0) === 0xa1b2cd34 || b.readUInt32LE(0) === 0xa1b2cd34, fix: 'editcap' },
  { name: 'an Endace ERF capture', matches: (_b, file) => /\.erf$/i.test(file ?? ''), fix: 'editcap' },
  { name: 'a zstd-compressed file', matches: (b) => b.readUInt32LE(0) === 0xfd2fb528, fix: 'decompress it first: zstd -d FILE' },
  { name: 'an LZ4-compressed file', matches: (b) => b.readUInt32LE(0) === 0x184d2204, fix: 'decompress it first: lz4 -d FILE' },
  { name: 'a bzip2-compressed file', matches: (b) => startsWith(b, 'BZh'), fix: 'decompress it first: bunzip2 FILE' },
  { name: 'an xz-compressed file', matches: (b) => startsWith(b, '\xfd7zXZ\0'), fix: 'decompress it first: unxz FILE' },
  { name: 'a zip archive', matches: (b) => startsWith(b, 'PK\x03\x04'), fix: 'extract the capture first: unzip FILE' },
  { name: 'a text hex dump', matches: (b) => /^[0-9a-fA-F]{4,8}[ \t]+[0-9a-fA-F]{2}[ \t]/.test(b.subarray(0, 64).toString('latin1')), fix: 'turn it into a pcap with: text2pcap FILE out.pcap' },
];

/** The error text for a recognised non-pcap file, or undefined when we cannot tell. */
export function otherFormat(buffer: Buffer, file?: string): string | undefined {
  const known = FORMATS.find((f) => f.matches(buffer, file));
  if (!known) return undefined;
  const fix = known.fix === 'editcap' ? editcap(file) : known.fix.replace('FILE', file ?? 'FILE');
  return `this is ${known.name}, not pcap or pcapng; ${fix}`;
}

/** gzip magic (RFC 1952 §2.3.1): `editcap -z`, `tcpdump ... | gzip` and Wireshark's .pcapng.gz. */
export function isGzip(buffer: Buffer): boolean {
  return buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}
