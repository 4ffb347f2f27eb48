import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, getHeaderValues, uriOf } from '../../src/sip/message/headers.js';
import type { SipRequest, SipResponse } from '../../src/sip/message/sip-message.js';
import { inviteWithAuth, register, startLab, type Lab } from './support/lab.js';
import { settle, type TestPhone } from './support/phone.js';

let lab: Lab;
afterEach(async () => lab?.stop());

/** alice calls bob and bob answers: returns both route sets as RFC 3261 §12.1 builds them. */
async function answeredCall(bobProtocol: 'udp' | 'tcp') {
  lab = await startLab();
  const alice = await lab.phone('alice');
  const bob = await lab.phone('bob', bobProtocol);
  await register(bob);
  await inviteWithAuth(alice, 'bob');
  const bobInvite = bob.lastRequest('INVITE');
  await bob.respond(bobInvite, 200, 'OK');
  await settle();
  const ok = alice.lastResponse(200);
  const recordRoutes = getHeaderValues(ok, 'record-route');
  return {
    alice,
    bob,
    ok,
    bobInvite: bobInvite.message as SipRequest,
    /** UAC route set: Record-Route reversed (§12.1.2); UAS route set: in order (§12.1.1). */
    aliceRoutes: [...recordRoutes].reverse(),
    bobRoutes: getHeaderValues(bobInvite.message, 'record-route'),
  };
}

function inDialog(phone: TestPhone, method: string, target: string, routes: string[], toTag: string, to: string, callId?: string): SipRequest {
  return phone.request(method, target, { to: `<${to}>;tag=${toTag}`, callId, headers: routes.map((r): [string, string] => ['Route', r]) });
}

describe('in-dialog requests (loose routing, RFC 3261 §16.4 / §16.12)', () => {
  it("alice's ACK for the 2xx and her BYE follow the Route to bob without a challenge; bob's 200 comes back", async () => {
    const { alice, bob, ok, aliceRoutes } = await answeredCall('udp');
    bob.clear();
    const bobContact = uriOf(getHeader(ok, 'contact')!);
    const toTag = /tag=([^;]+)/.exec(getHeader(ok, 'to')!)![1]!;
    await alice.send(inDialog(alice, 'ACK', bobContact, aliceRoutes, toTag, 'sip:bob@lab.test'));
    await alice.send(inDialog(alice, 'BYE', bobContact, aliceRoutes, toTag, 'sip:bob@lab.test'));
    await settle();

    expect(bob.ladder()).toEqual([`ACK ${bobContact} SIP/2.0`, `BYE ${bobContact} SIP/2.0`]);
    const bye = bob.lastRequest('BYE');
    expect(getHeaderValues(bye.message, 'route')).toEqual([]);
    expect(getHeaderValues(bye.message, 'via')).toHaveLength(2);
    expect(getHeader(bye.message, 'max-forwards')).toBe('69');

    alice.clear();
    await bob.respond(bye, 200, 'OK');
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 200 OK']);
    expect(getHeaderValues(alice.last().message, 'via')).toHaveLength(1);
  });

  it("the route set of alice's call does not carry a BYE of another Call-ID: 403, bob sees nothing", async () => {
    const { alice, bob, ok, aliceRoutes } = await answeredCall('udp');
    bob.clear();
    alice.clear();
    const bobContact = uriOf(getHeader(ok, 'contact')!);
    const toTag = /tag=([^;]+)/.exec(getHeader(ok, 'to')!)![1]!;
    await alice.send(inDialog(alice, 'BYE', bobContact, aliceRoutes, toTag, 'sip:bob@lab.test', 'another-call@test'));
    await alice.send(inDialog(alice, 'BYE', bobContact, [], toTag, 'sip:bob@lab.test'));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 403 Forbidden (Route not record-routed by this proxy)', 'SIP/2.0 404 Not Here']);
    expect(bob.inbox).toEqual([]);
  });

  it("with a double Record-Route, bob's BYE over TCP strips both our Routes and reaches alice over UDP", async () => {
    const { alice, bob, bobInvite, bobRoutes } = await answeredCall('tcp');
    expect(bobRoutes).toHaveLength(2);
    alice.clear();
    const aliceContact = uriOf(getHeader(bobInvite, 'contact')!);
    const fromTag = /tag=([^;]+)/.exec(getHeader(bobInvite, 'from')!)![1]!;
    await bob.send(inDialog(bob, 'BYE', aliceContact, bobRoutes, fromTag, 'sip:alice@lab.test', getHeader(bobInvite, 'call-id')));
    await settle();

    expect(alice.ladder()).toEqual([`BYE ${aliceContact} SIP/2.0`]);
    const bye = alice.lastRequest('BYE');
    expect(bye.flow.protocol).toBe('udp');
    expect(getHeaderValues(bye.message, 'via')[0]).toMatch(/^SIP\/2.0\/UDP /);

    bob.clear();
    await alice.respond(bye, 200, 'OK');
    await settle();
    expect((bob.last().message as SipResponse).status).toBe(200);
    expect(bob.last().flow.protocol).toBe('tcp');
  });
});

describe('out-of-dialog non-INVITE requests', () => {
  it("alice's MESSAGE is challenged, then relayed to bob; his 200 comes back; silence gets 408 after Timer F", async () => {
    lab = await startLab({ noResponseTimeoutMs: 32_000 });
    const alice = await lab.phone('alice');
    const bob = await lab.phone('bob');
    await register(bob);
    bob.clear();
    const message = alice.request('MESSAGE', 'sip:bob@lab.test', { body: 'hello', headers: [['Content-Type', 'text/plain']] });
    await alice.send(message);
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 407 Proxy Authentication Required']);
    await alice.send(alice.withCredentials(message, alice.lastResponse(407)));
    await settle();
    const atBob = bob.lastRequest('MESSAGE');
    expect(atBob.message.body).toBe('hello');
    expect(getHeaderValues(atBob.message, 'record-route')).toEqual([]);
    await bob.respond(atBob, 200, 'OK');
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 407 Proxy Authentication Required', 'SIP/2.0 200 OK']);

    const again = alice.request('MESSAGE', 'sip:bob@lab.test', { body: 'anyone?' });
    await alice.send(alice.withCredentials(again, alice.lastResponse(407)));
    await settle();
    lab.clock.advance(32_000);
    await settle();
    expect(alice.lastResponse().status).toBe(408);
  });
});
