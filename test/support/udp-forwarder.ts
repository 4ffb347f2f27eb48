import { createSocket, type Socket } from 'node:dgram';
import type { Endpoint } from '../../src/sip/transport/types.js';

export interface UdpForwarder {
  endpoint: Endpoint;
  dropped: string[];
  stop(): Promise<void>;
}

/**
 * A loopback UDP forwarder in front of a server, giving each client its own upstream socket
 * so replies find their way back. `drop` sees every datagram toward the server and may
 * swallow it: a server that "never received" a message.
 */
export async function startUdpForwarder(target: Endpoint, drop: (datagram: string) => boolean): Promise<UdpForwarder> {
  const front = createSocket('udp4');
  const upstreams = new Map<string, Socket>();
  const dropped: string[] = [];
  front.on('message', (data, client) => {
    const key = `${client.address}:${client.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      upstream = createSocket('udp4');
      upstream.bind(0, '127.0.0.1');
      upstream.on('message', (reply) => front.send(reply, client.port, client.address));
      upstreams.set(key, upstream);
    }
    const text = data.toString('utf8');
    if (drop(text)) {
      dropped.push(text.split('\r\n')[0]!);
      return;
    }
    upstream.send(data, target.port, target.address);
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    endpoint: { address: '127.0.0.1', port: front.address().port },
    dropped,
    stop: async () => {
      for (const socket of upstreams.values()) socket.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
