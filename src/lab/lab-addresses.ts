import { createSocket } from 'node:dgram';
import type { BotConfig } from '../config/bots-schema.js';
import { isLoopbackAddress } from '../media/webrtc/loopback-ice.js';

/**
 * Where the lab's parties live on the loopback wire. On iptel.org the students' captures showed
 * distinct hosts (`192.168.2.120 -> 212.79.111.155`); on one machine every party would be
 * 127.0.0.1 and Via, Contact, SDP and the capture could not tell alice from bob. Linux routes
 * the whole of 127.0.0.0/8 to `lo` (RFC 1122 §3.2.1.3), so the proxy keeps 127.0.0.1 and each
 * bot gets its own 127.0.1.N, in the order of the bots file: alice 127.0.1.1, bob 127.0.1.2,
 * carol 127.0.1.3. Platforms that only configure 127.0.0.1 (macOS) keep everyone there.
 */
export const PARTY_ADDRESS_PREFIX = '127.0.1.';
const MAX_PARTIES = 254;

/** Binds a UDP socket to `address` port 0 and closes it: true when this host has the address. */
export async function canBind(address: string): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRNOTAVAIL' || code === 'EINVAL') return false;
    throw error;
  } finally {
    socket.close();
  }
}

/**
 * The bots with their own loopback address, when the server they talk to is on loopback and
 * the host has the addresses; a bot that names its `bindAddress` keeps it. Otherwise the bots
 * are returned as they are.
 */
export async function placeOnLoopback(bots: readonly BotConfig[], serverAddress: string): Promise<BotConfig[]> {
  if (!isLoopbackAddress(serverAddress) || bots.length > MAX_PARTIES) return [...bots];
  if (!(await canBind(`${PARTY_ADDRESS_PREFIX}1`))) return [...bots];
  return bots.map((bot, index) => (bot.bindAddress === undefined ? { ...bot, bindAddress: `${PARTY_ADDRESS_PREFIX}${index + 1}` } : bot));
}
