import type { DirectionStats, RelayStats } from './udp-relay.js';

/** The counters printed when `sipbots relay` exits: one line per direction. */
export function formatRelayStats(stats: RelayStats): string {
  const line = (name: string, d: DirectionStats) =>
    `${name.padEnd(10)} received ${d.received}, forwarded ${d.forwarded}, dropped ${d.dropped}, duplicated ${d.duplicated}, reordered ${d.reordered}, ${d.bytes} bytes\n`;
  return line('to target', stats.toTarget) + line('to clients', stats.toClient) + `clients ${stats.clients}, socket errors ${stats.socketErrors}\n`;
}
