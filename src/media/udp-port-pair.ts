/**
 * Binds the RTP/RTCP socket pair of one media stream: RTP on an even port, RTCP on the next
 * odd one (RFC 3550 §11). From a configured range the ports are tried in order, starting after
 * the last pair handed out; with no range, the OS picks the RTP port and we retry until it is
 * even and its neighbour is free.
 */

import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { literalFirstLookup } from '../util/literal-first-lookup.js';

export class MediaPortError extends Error {
  override name = 'MediaPortError';
}

export interface UdpPortPair {
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  port: number;
}

export interface BindPairOptions {
  address: string;
  /** Inclusive port range; RTP takes even ports in it, RTCP the port above. */
  portRange?: readonly [number, number];
}

const ANY_PORT_ATTEMPTS = 64;
const rangeCursor = new Map<string, number>();

export async function bindPortPair(options: BindPairOptions): Promise<UdpPortPair> {
  return options.portRange ? bindFromRange(options.address, options.portRange) : bindAnyPair(options.address);
}

async function bindAnyPair(address: string): Promise<UdpPortPair> {
  for (let attempt = 0; attempt < ANY_PORT_ATTEMPTS; attempt++) {
    const rtp = await bindSocket(address, 0);
    const port = rtp.address().port;
    if (port % 2 === 0 && port < 65535) {
      const rtcp = await tryBind(address, port + 1);
      if (rtcp) return { rtp, rtcp, port };
    }
    await closeSocket(rtp);
  }
  throw new MediaPortError(`no free even/odd UDP port pair on ${address} after ${ANY_PORT_ATTEMPTS} attempts; configure media.portRange`);
}

async function bindFromRange(address: string, [low, high]: readonly [number, number]): Promise<UdpPortPair> {
  const first = low % 2 === 0 ? low : low + 1;
  const pairs = Math.floor((high - first + 1) / 2);
  if (pairs <= 0) throw new MediaPortError(`media port range ${low}-${high} holds no even/odd pair; widen it`);
  const key = `${address}:${low}-${high}`;
  const start = rangeCursor.get(key) ?? 0;
  for (let i = 0; i < pairs; i++) {
    const index = (start + i) % pairs;
    const port = first + 2 * index;
    const rtp = await tryBind(address, port);
    if (!rtp) continue;
    const rtcp = await tryBind(address, port + 1);
    if (rtcp) {
      rangeCursor.set(key, (index + 1) % pairs);
      return { rtp, rtcp, port };
    }
    await closeSocket(rtp);
  }
  throw new MediaPortError(`all ${pairs} RTP/RTCP port pairs in ${low}-${high} on ${address} are in use; widen media.portRange`);
}

function bindSocket(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false, lookup: literalFirstLookup });
    const onError = (error: Error): void => {
      socket.close();
      reject(new MediaPortError(`cannot bind UDP ${address}:${port}: ${error.message}`, { cause: error }));
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** Binds, or returns undefined when the port is taken (EADDRINUSE); other errors propagate. */
async function tryBind(address: string, port: number): Promise<dgram.Socket | undefined> {
  try {
    return await bindSocket(address, port);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES') return undefined;
    throw error;
  }
}

export function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch (error) {
      // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed, which is the state we want.
      if ((error as { code?: string }).code === 'ERR_SOCKET_DGRAM_NOT_RUNNING') resolve();
      else throw error;
    }
  });
}
