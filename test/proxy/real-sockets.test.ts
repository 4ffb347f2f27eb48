import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipbotsEvent } from '../../src/events/types.js';
import { LabProxy } from '../../src/proxy/lab-proxy.js';
import { createReliableSocket } from '../../src/sip/reliability/reliable-socket.js';
import { createSipSocket } from '../../src/sip/transport/create-sip-socket.js';
import type { SipSocket, TransportProtocol } from '../../src/sip/transport/types.js';
import { ackFor, PASSWORDS } from './support/lab.js';
import { TestPhone } from './support/phone.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** Polls until `check` holds; bounded so a broken proxy fails the test instead of hanging it. */
async function eventually(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('lab proxy on real loopback sockets', () => {
  it('alice on UDP calls bob on TCP through a reliable UDP listener: 407 dance, 180, 486 with hop-by-hop ACKs', async () => {
    const udp = createReliableSocket(createSipSocket({ protocol: 'udp', bindAddress: '127.0.0.1', port: 0 }));
    const tcp = createSipSocket({ protocol: 'tcp', bindAddress: '127.0.0.1', port: 0, listen: true });
    const stream = new EventStream();
    const events: SipbotsEvent[] = [];
    stream.subscribe((e) => events.push(e));
    const proxy = new LabProxy({ users: new Map(Object.entries(PASSWORDS)), listeners: [udp, tcp], events: stream, inviteTimeoutMs: 2000 });
    await proxy.start();
    cleanup.push(() => proxy.stop());

    const phone = async (user: string, protocol: TransportProtocol, proxySocket: SipSocket) => {
      const socket = createSipSocket({ protocol, bindAddress: '127.0.0.1', port: 0, listen: false });
      await socket.open();
      cleanup.push(() => socket.close());
      return new TestPhone(socket, user, PASSWORDS[user]!, () => proxySocket.local);
    };
    const alice = await phone('alice', 'udp', udp);
    const bob = await phone('bob', 'tcp', tcp);

    const register = bob.request('REGISTER', 'sip:lab.test', { to: '<sip:bob@lab.test>' });
    await bob.send(register);
    await eventually(() => bob.inbox.length === 1, '401');
    await bob.send(bob.withCredentials(register, bob.lastResponse(401)));
    await eventually(() => bob.inbox.length === 2, '200 to REGISTER');
    expect(bob.ladder()).toEqual(['SIP/2.0 401 Unauthorized', 'SIP/2.0 200 OK']);

    const first = alice.request('INVITE', 'sip:bob@lab.test');
    await alice.send(first);
    await eventually(() => alice.inbox.length >= 1, '407');
    await alice.send(ackFor(first, alice.lastResponse(407)));
    await alice.send(alice.withCredentials(first, alice.lastResponse(407)));
    await eventually(() => bob.inbox.some((r) => r.message.kind === 'request' && r.message.method === 'INVITE'), 'INVITE at bob');

    const invite = bob.lastRequest('INVITE');
    await bob.respond(invite, 180, 'Ringing');
    await bob.respond(invite, 486, 'Busy Here');
    await eventually(() => alice.inbox.some((r) => r.message.kind === 'response' && r.message.status === 486), '486 at alice');
    await eventually(() => bob.inbox.some((r) => r.message.kind === 'request' && r.message.method === 'ACK'), 'ACK at bob');
    const authed = alice.inbox.length;
    expect(alice.ladder().slice(0, authed)).toEqual([
      'SIP/2.0 407 Proxy Authentication Required',
      'SIP/2.0 100 Trying',
      'SIP/2.0 180 Ringing',
      'SIP/2.0 486 Busy Here',
    ]);
    await alice.send(ackFor(first, alice.lastResponse(486)));

    const proxyLines = events.flatMap((e) => (e.type === 'sip' && e.party === 'proxy' ? [`${e.direction} ${e.transport} ${e.startLine}`] : []));
    expect(proxyLines).toContain('out tcp INVITE ' + bob.contact() + ' SIP/2.0');
    expect(proxyLines).toContain('in udp INVITE sip:bob@lab.test SIP/2.0');
  });
});
