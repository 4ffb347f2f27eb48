import { cut, type LayerResult } from './layer.js';

/** sll_pkttype (packet(7)): the copy a host sends, as opposed to one it receives. */
const PACKET_OUTGOING = 4;
/** ARPHRD_LOOPBACK: the `lo` device. */
const ARPHRD_LOOPBACK = 772;

/**
 * Linux cooked capture (`tcpdump -i any`). On `lo` a packet is seen leaving and arriving, so
 * such a capture can hold every loopback packet twice; the outgoing copy is dropped (what
 * libpcap itself does for `-i lo`), the receiving copy kept.
 *
 * v1 (LINKTYPE_LINUX_SLL, 113), 16 bytes:
 *   packet type u16 | ARPHRD type u16 | address length u16 | address (8) | protocol u16
 * v2 (LINKTYPE_LINUX_SLL2, 276), 20 bytes:
 *   protocol u16 | reserved u16 | interface index u32 | ARPHRD type u16 | packet type u8 |
 *   address length u8 | address (8)
 */
export function linuxCooked(d: Buffer): LayerResult {
  if (d.length < 16) return cut('Linux cooked');
  return cooked(d.readUInt16BE(0), d.readUInt16BE(2), d.readUInt16BE(14), d.subarray(16));
}

export function linuxCookedV2(d: Buffer): LayerResult {
  if (d.length < 20) return cut('Linux cooked v2');
  return cooked(d[10]!, d.readUInt16BE(8), d.readUInt16BE(0), d.subarray(20));
}

function cooked(packetType: number, hardware: number, protocol: number, bytes: Buffer): LayerResult {
  if (packetType === PACKET_OUTGOING && hardware === ARPHRD_LOOPBACK) return { skip: 'loopback-copy' };
  // Protocol values below 0x0600 are Linux-internal (802.2, CAN...), not EtherTypes.
  if (protocol < 0x0600) return { skip: 'not-ip' };
  return { ethertype: protocol, bytes };
}
