import { cut, ETHERTYPE, type LayerResult } from './layer.js';

/** Label stacks deeper than this are corruption (real networks use a handful). */
const MAX_LABELS = 16;

/**
 * RFC 3032 §2.1 label stack entries, 4 bytes each: label (20 bits) | TC (3) | S (1) | TTL (8),
 * the last one with S set. MPLS does not say what it carries: an IP version nibble of 4 or 6
 * is IP; a first nibble of 0 is the RFC 4385 pseudowire control word before an Ethernet frame.
 */
export function mpls(d: Buffer): LayerResult {
  let offset = 0;
  for (let i = 0; ; i++) {
    if (i >= MAX_LABELS) return { skip: 'unknown', detail: 'MPLS label stack without a bottom' };
    if (d.length < offset + 4) return cut('MPLS');
    const bottom = (d[offset + 2]! & 0x01) === 1;
    offset += 4;
    if (bottom) break;
  }
  const rest = d.subarray(offset);
  if (rest.length < 1) return cut('MPLS payload');
  const nibble = rest[0]! >> 4;
  if (nibble === 4) return { ethertype: ETHERTYPE.ipv4, bytes: rest };
  if (nibble === 6) return { ethertype: ETHERTYPE.ipv6, bytes: rest };
  if (nibble === 0) return rest.length < 4 ? cut('pseudowire control word') : { ethertype: ETHERTYPE.ethernet, bytes: rest.subarray(4) };
  return { skip: 'unknown', detail: `MPLS payload starting 0x${rest[0]!.toString(16)}` };
}
