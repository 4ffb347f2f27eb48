import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createReliableSocket } from '../../src/sip/reliability/reliable-socket.js';
import { TransportError } from '../../src/sip/transport/types.js';
import { literalFirstLookup } from '../../src/util/literal-first-lookup.js';
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

  it('sends to a name through DNS (localhost) as to a literal', async () => {
    const bob = await openUdp();
    const alice = await openUdp();
    const bobHears = new SocketEvents(bob);
    const flow = await alice.send(sipRequest('OPTIONS'), { remote: { address: 'localhost', port: bob.local.port } });
    expect(flow.remote).toEqual({ address: 'localhost', port: bob.local.port });
    expect((await bobHears.message(0)).flow.remote).toEqual(alice.local);
  });

  it('a send to the other address family rejects with EINVAL through send(), as it did when every send waited for DNS', async () => {
    const bob = await openUdp('::1');
    const alice = await openUdp('127.0.0.1');
    const sending = alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    await expect(sending).rejects.toThrow(TransportError);
    await expect(sending).rejects.toThrow(new RegExp(`^udp send to \\[::1\\]:${bob.local.port} failed: send EINVAL ::1:${bob.local.port}$`));
    // The socket still sends where it can.
    const carol = await openUdp('127.0.0.1');
    const carolHears = new SocketEvents(carol);
    await alice.send(sipRequest('MESSAGE'), { remote: carol.local });
    expect((await carolHears.message(0)).raw).toBe(sipRequest('MESSAGE'));
  });
});

describe('udp below the reliability layer', () => {
  it('an INVITE to the other address family: the send rejects with EINVAL, and its Timer A retransmissions fail without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const wire = createSipSocket({ protocol: 'udp', bindAddress: '127.0.0.1' });
    const alice = createReliableSocket(wire, { timers: { t1: 10 } });
    try {
      await alice.open();
      const invite = sipRequest('INVITE').replace('branch=z9hG4bK', 'branch=z9hG4bKfamily');
      await expect(alice.send(invite, { remote: { address: '::1', port: 5060 } })).rejects.toThrow(/^udp send to \[::1\]:5060 failed: send EINVAL ::1:5060$/);
      // Timer A fires at 10, 30, 70, 150 ms: each retransmission meets the same EINVAL.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await alice.close();
    }
  });
});

describe('literalFirstLookup (the dgram lookup of every UDP socket)', () => {
  const lookup = literalFirstLookup as unknown as (host: string, family: number, callback: (error: Error | null, address: string, family: number) => void) => void;

  it('answers an IP literal before it returns, with the literal\'s own family', () => {
    const answers: [string, number][] = [];
    lookup('127.0.0.1', 4, (_error, address, family) => answers.push([address, family]));
    lookup('::1', 4, (_error, address, family) => answers.push([address, family]));
    expect(answers).toEqual([['127.0.0.1', 4], ['::1', 6]]);
  });

  it('asks DNS for a name, in the family dgram asks for', async () => {
    let answered: [string, number] | undefined;
    const done = new Promise<void>((resolve) => lookup('localhost', 4, (error, address, family) => {
      expect(error).toBeNull();
      answered = [address, family];
      resolve();
    }));
    expect(answered).toBeUndefined();
    await done;
    expect(answered).toEqual(['127.0.0.1', 4]);
  });
});
