import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createSipSocket } from '../../src/sip/transport/create-sip-socket.js';
import type { SipSocket } from '../../src/sip/transport/types.js';
import { SocketEvents, sipRequest } from './socket-events.js';

const opened: SipSocket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
});

async function openUdp(bindAddress?: string): Promise<SipSocket> {
  const socket = createSipSocket({ protocol: 'udp', bindAddress });
  opened.push(socket);
  await socket.open();
  return socket;
}

async function sendDatagrams(port: number, address: string, datagrams: string[]): Promise<void> {
  const client = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  for (const datagram of datagrams) {
    await new Promise<void>((resolve, reject) => client.send(datagram, port, address, (error) => (error ? reject(error) : resolve())));
  }
  client.close();
}

describe('udp', () => {
  it('drops CRLF keep-alives (RFC 5626 §4.4.1) and hands up the datagram after them', async () => {
    const bob = await openUdp();
    const bobHears = new SocketEvents(bob);
    await sendDatagrams(bob.local.port, '127.0.0.1', ['\r\n\r\n', '\r\n', sipRequest('OPTIONS')]);
    expect((await bobHears.message(0)).raw).toBe(sipRequest('OPTIONS'));
    expect(bobHears.messages).toHaveLength(1);
  });

  it('names IPv6 flows with brackets and sends back by flow id', async () => {
    const bob = await openUdp('::1');
    const alice = await openUdp('::1');
    const bobHears = new SocketEvents(bob);
    const aliceHears = new SocketEvents(alice);
    await alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    const request = await bobHears.message(0);
    expect(request.flow.id).toBe(`udp:[::1]:${alice.local.port}`);
    await bob.send(sipRequest('MESSAGE'), { flowId: request.flow.id });
    expect((await aliceHears.message(0)).flow.remote).toEqual(bob.local);
  });

  it('rejects a flow id that is not udp:<address>:<port>', async () => {
    const bob = await openUdp();
    await expect(bob.send(sipRequest('OPTIONS'), { flowId: 'tcp#1' })).rejects.toThrow(/is not a udp flow id/);
  });

  it('fails to bind a port already taken, naming it', async () => {
    const bob = await openUdp();
    const second = createSipSocket({ protocol: 'udp', port: bob.local.port });
    await expect(second.open()).rejects.toThrow(`udp cannot bind 127.0.0.1:${bob.local.port}`);
  });
});
