import { skip, type Skip } from './skip-reasons.js';

/**
 * What a link or tunnel layer hands to the next one: the EtherType of what follows (GRE, SLL,
 * PPPoE and MPLS all name their payload by EtherType, or can be mapped to one) and its bytes.
 */
export interface Inner {
  ethertype: number;
  bytes: Buffer;
}

export type LayerResult = Inner | Skip;

export const ETHERTYPE = {
  ipv4: 0x0800,
  ipv6: 0x86dd,
  arp: 0x0806,
  /** Transparent Ethernet Bridging: a whole Ethernet frame follows (GRE, VXLAN, ERSPAN). */
  ethernet: 0x6558,
  pppoeDiscovery: 0x8863,
  pppoeSession: 0x8864,
  mplsUnicast: 0x8847,
  mplsMulticast: 0x8848,
  erspanII: 0x88be,
  erspanIII: 0x22eb,
} as const;

/** Cut-short headers are not the capture's fault we can explain better: name the layer. */
export function cut(layer: string): Skip {
  return skip('unknown', `${layer} header cut short`);
}

export function isSkip<T extends object>(result: T | Skip): result is Skip {
  return 'skip' in result;
}
