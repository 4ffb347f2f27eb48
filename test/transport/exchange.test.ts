import { afterEach, describe, expect, it } from 'vitest';
import { createSipSocket } from '../../src/sip/transport/create-sip-socket.js';
import { TRANSPORT_PROTOCOLS, type SipSocket, type SipSocketOptions } from '../../src/sip/transport/types.js';
import { makeTestCertificate } from '../support/tls-cert.js';
import { SocketEvents, sipRequest, sipResponse } from './socket-events.js';

const opened: SipSocket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
});

async function openSocket(options: SipSocketOptions): Promise<SipSocket> {
  const socket = createSipSocket(options);
  opened.push(socket);
  await socket.open();
  return socket;
}

describe.each(TRANSPORT_PROTOCOLS)('%s: alice calls bob over loopback', (protocol) => {
  const secure = protocol === 'tls' || protocol === 'wss';
  const flowIdPattern = protocol === 'udp' ? /^udp:127\.0\.0\.1:\d+$/ : new RegExp(`^${protocol}#\\d+$`);

  async function pair() {
    const certificate = secure ? await makeTestCertificate() : undefined;
    const bob = await openSocket({ protocol, listen: true, tls: certificate });
    // Over streams alice does not listen: bob must answer on the connection she opened.
    const alice = await openSocket({ protocol, listen: protocol === 'udp', tls: certificate && { ca: certificate.cert } });
    return { bob, alice, bobHears: new SocketEvents(bob), aliceHears: new SocketEvents(alice) };
  }

  it('bob receives OPTIONS and his 200 goes back over the same flow', async () => {
    const { bob, alice, bobHears, aliceHears } = await pair();
    expect(bob.local.port).toBeGreaterThan(0);

    const out = await alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    expect(out.id).toMatch(flowIdPattern);
    expect(out.remote).toEqual(bob.local);
    expect(out.local.port).toBeGreaterThan(0);

    const request = await bobHears.message(0);
    expect(request.raw).toBe(sipRequest('OPTIONS'));
    expect(request.flow.remote).toEqual(out.local);
    expect(request.flow.local).toEqual(bob.local);

    const back = await bob.send(sipResponse('200 OK'), { flowId: request.flow.id });
    expect(back.id).toBe(request.flow.id);
    const reply = await aliceHears.message(0);
    expect(reply.raw).toBe(sipResponse('200 OK'));
    expect(reply.flow.id).toBe(out.id);
  });

  it('a second request reuses the flow, and a UTF-8 body arrives intact', async () => {
    const { bob, alice, bobHears } = await pair();
    const first = await alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    const second = await alice.send(sipRequest('MESSAGE', 'Grüße aus 東京 🎉'), { remote: bob.local });
    expect(second.id).toBe(first.id);
    expect(second.local).toEqual(first.local);
    expect((await bobHears.message(1)).raw).toBe(sipRequest('MESSAGE', 'Grüße aus 東京 🎉'));
    expect(bobHears.messages[1]!.flow.id).toBe(bobHears.messages[0]!.flow.id);
  });

  it.skipIf(protocol === 'udp')('bob hears the flow close, without error, when alice closes', async () => {
    const { bob, alice, bobHears } = await pair();
    await alice.send(sipRequest('OPTIONS'), { remote: bob.local });
    const request = await bobHears.message(0);
    await alice.close();
    const closed = await bobHears.flowClosed(0);
    expect(closed.flow.id).toBe(request.flow.id);
    expect(closed.error).toBeUndefined();
    await expect(bob.send(sipResponse('200 OK'), { flowId: request.flow.id })).rejects.toThrow(/is closed/);
  });

  it('close() is idempotent and send afterwards rejects', async () => {
    const { bob, alice } = await pair();
    await Promise.all([alice.close(), alice.close()]);
    await alice.close();
    await expect(alice.send(sipRequest('OPTIONS'), { remote: bob.local })).rejects.toMatchObject({
      name: 'TransportError',
      protocol,
    });
  });
});
