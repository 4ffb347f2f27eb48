import { cut, ETHERTYPE, type LayerResult } from './layer.js';

const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/**
 * IEEE 802.3 Ethernet II: destination MAC (6) | source MAC (6) | EtherType (2) | payload,
 * with any number of 802.1Q / 802.1ad tags (TPID 2 | TCI 2) before the real EtherType.
 * A length (< 0x0600) instead of an EtherType is an 802.2 LLC frame (STP, CDP): not IP.
 */
export function ethernet(d: Buffer): LayerResult {
  if (d.length < 14) return cut('Ethernet');
  let offset = 12;
  let type = d.readUInt16BE(offset);
  while (VLAN_TAGS.has(type)) {
    if (d.length < offset + 6) return cut('VLAN');
    offset += 4;
    type = d.readUInt16BE(offset);
  }
  if (type < 0x0600) return { skip: 'not-ip' };
  return { ethertype: type, bytes: d.subarray(offset + 2) };
}

export { ETHERTYPE };
