import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, getHeaderValues, parseCSeq } from '../../src/sip/message/headers.js';
import type { SipRequest } from '../../src/sip/message/sip-message.js';
import { ackFor, inviteWithAuth, register, startLab, type Lab } from './support/lab.js';
import { branchOf, settle } from './support/phone.js';

let lab: Lab;
afterEach(async () => lab?.stop());

async function aliceAndBob(bobProtocol: 'udp' | 'tcp' = 'udp') {
  lab = await startLab();
  const alice = await lab.phone('alice');
  const bob = await lab.phone('bob', bobProtocol);
  await register(bob);
  bob.clear();
  return { alice, bob };
}

describe('initial INVITE through the lab proxy', () => {
  it("answers alice's first INVITE with a stateless 407 (no 100 before it), absorbs her ACK, and bob sees nothing", async () => {
    const { alice, bob } = await aliceAndBob();
    const first = alice.request('INVITE', 'sip:bob@lab.test');
    await alice.send(first);
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 407 Proxy Authentication Required']);
    expect(getHeader(alice.lastResponse(407), 'proxy-authenticate')).toMatch(/^Digest realm="lab.test", nonce=/);

    await alice.send(ackFor(first, alice.lastResponse(407)));
    await settle();
    expect(bob.inbox).toEqual([]);
  });

  it('with credentials the INVITE reaches bob with our Via, a Record-Route and his Contact as Request-URI', async () => {
    const { alice, bob } = await aliceAndBob();
    await inviteWithAuth(alice, 'bob');
    expect(alice.ladder().slice(1)).toEqual(['SIP/2.0 100 Trying']);

    const invite = bob.lastRequest('INVITE').message as SipRequest;
    expect(bob.ladder()).toEqual([`INVITE ${bob.contact()} SIP/2.0`]);
    const [proxy] = lab.proxy.endpoints();
    // The dialog token (an HMAC of the Call-ID) is what lets the dialog's requests through later.
    expect(getHeaderValues(invite, 'record-route')).toEqual([expect.stringMatching(new RegExp(`^<sip:127.0.0.1:${proxy!.local.port};transport=udp;lr;dlg=[0-9a-f]{16}>$`))]);
    const vias = getHeaderValues(invite, 'via');
    expect(vias).toHaveLength(2);
    expect(vias[0]).toMatch(new RegExp(`^SIP/2.0/UDP 127.0.0.1:${proxy!.local.port};branch=z9hG4bK[0-9a-f]{20}$`));
    expect(vias[1]).toMatch(new RegExp(`;rport=${alice.socket.local.port};branch=\\S+;received=127.0.0.1$`));
    expect(getHeader(invite, 'max-forwards')).toBe('69');
    // Consumed at this hop, as Kamailio's consume_credentials() does.
    expect(getHeader(invite, 'proxy-authorization')).toBeUndefined();
  });

  it("relays bob's 180 and 200 to alice without the proxy's Via, and not his 100", async () => {
    const { alice, bob } = await aliceAndBob();
    await inviteWithAuth(alice, 'bob');
    alice.clear();
    const invite = bob.lastRequest('INVITE');
    await bob.respond(invite, 100, 'Trying');
    await bob.respond(invite, 180, 'Ringing');
    await bob.respond(invite, 200, 'OK');
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
    expect(getHeaderValues(alice.last().message, 'via')).toHaveLength(1);
    expect(getHeaderValues(alice.last().message, 'record-route')).toHaveLength(1);

    // A 2xx retransmission still reaches alice (RFC 3261 §16.7 step 5).
    await bob.respond(invite, 200, 'OK');
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
  });

  it("ACKs bob's 486 itself, hop by hop on its own branch, and absorbs alice's ACK", async () => {
    const { alice, bob } = await aliceAndBob();
    const authed = await inviteWithAuth(alice, 'bob');
    const invite = bob.lastRequest('INVITE');
    await bob.respond(invite, 180, 'Ringing');
    await bob.respond(invite, 486, 'Busy Here');
    await settle();

    expect(alice.lastResponse().status).toBe(486);
    const ack = bob.lastRequest('ACK').message as SipRequest;
    expect(branchOf(ack)).toBe(branchOf(invite.message));
    expect(ack.uri).toBe((invite.message as SipRequest).uri);
    expect(getHeader(ack, 'to')).toContain('tag=tt-bob');
    expect(parseCSeq(ack)).toEqual({ seq: parseCSeq(invite.message).seq, method: 'ACK' });

    bob.clear();
    await alice.send(ackFor(authed, alice.lastResponse(486)));
    await settle();
    expect(bob.inbox).toEqual([]);
  });

  it('answers 404 for a user it does not know and 480 for a user who is not registered', async () => {
    const { alice } = await aliceAndBob();
    await inviteWithAuth(alice, 'nobody');
    expect(alice.lastResponse().status).toBe(404);
    await inviteWithAuth(alice, 'carol');
    expect(alice.lastResponse().status).toBe(480);
    expect(alice.lastResponse().reason).toBe('Temporarily Unavailable');
  });

  it('refuses an INVITE whose From is not the authenticated user with 403', async () => {
    const { alice } = await aliceAndBob();
    const first = alice.request('INVITE', 'sip:bob@lab.test', { from: 'carol' });
    await alice.send(first);
    await settle();
    await alice.send(alice.withCredentials(first, alice.lastResponse(407)));
    await settle();
    expect(alice.lastResponse().status).toBe(403);
  });

  it('answers 483 when Max-Forwards is already 0', async () => {
    const { alice } = await aliceAndBob();
    await alice.send(rewriteMaxForwards(alice.request('INVITE', 'sip:bob@lab.test')));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 483 Too Many Hops']);
  });

  it('double Record-Routes when alice is on UDP and bob on TCP, and sends over bob\'s connection', async () => {
    const { alice, bob } = await aliceAndBob('tcp');
    await inviteWithAuth(alice, 'bob');
    const invite = bob.lastRequest('INVITE');
    const [udp, tcp] = lab.proxy.endpoints();
    const recordRoutes = getHeaderValues(invite.message, 'record-route');
    const token = /;dlg=([0-9a-f]{16})>$/.exec(recordRoutes[0]!)?.[1];
    expect(recordRoutes).toEqual([
      `<sip:127.0.0.1:${tcp!.local.port};transport=tcp;lr;r2=on;dlg=${token}>`,
      `<sip:127.0.0.1:${udp!.local.port};transport=udp;lr;r2=on;dlg=${token}>`,
    ]);
    expect(getHeaderValues(invite.message, 'via')[0]).toMatch(/^SIP\/2.0\/TCP /);
    expect(invite.flow.id).toBe(bob.inbox[0]!.flow.id);
    await bob.respond(invite, 180, 'Ringing');
    await settle();
    expect(alice.lastResponse().status).toBe(180);
  });
});

function rewriteMaxForwards(request: SipRequest): SipRequest {
  request.headers.find((h) => h.key === 'max-forwards')!.value = '0';
  return request;
}
