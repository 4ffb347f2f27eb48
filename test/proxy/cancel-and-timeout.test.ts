import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, parseCSeq } from '../../src/sip/message/headers.js';
import { serializeSipMessage } from '../../src/sip/message/serialize-message.js';
import type { SipRequest } from '../../src/sip/message/sip-message.js';
import { ackFor, inviteWithAuth, register, startLab, type Lab } from './support/lab.js';
import { branchOf, settle, type TestPhone } from './support/phone.js';

let lab: Lab;
afterEach(async () => lab?.stop());

async function ringing(options: { inviteTimeoutMs?: number } = {}) {
  lab = await startLab(options);
  const alice = await lab.phone('alice');
  const bob = await lab.phone('bob');
  await register(bob);
  bob.clear();
  const invite = await inviteWithAuth(alice, 'bob');
  alice.clear();
  return { alice, bob, invite, bobInvite: bob.lastRequest('INVITE') };
}

/** RFC 3261 §9.1: CANCEL with the INVITE's Request-URI, Call-ID, From, To, CSeq number and branch. */
function cancelFor(invite: SipRequest): string {
  return serializeSipMessage(invite)
    .replace(/^INVITE /, 'CANCEL ')
    .replace(/CSeq: (\d+) INVITE/, 'CSeq: $1 CANCEL')
    .replace(/\r\nProxy-Authorization: [^\r\n]*/, '');
}

async function send(phone: TestPhone, raw: string) {
  await phone.send(raw);
  await settle();
}

describe('CANCEL', () => {
  it('after 180: alice gets 200 for her CANCEL, bob gets the CANCEL on the INVITE branch, his 487 reaches alice', async () => {
    const { alice, bob, invite, bobInvite } = await ringing();
    await bob.respond(bobInvite, 180, 'Ringing');
    await settle();
    await send(alice, cancelFor(invite));
    expect(alice.ladder()).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
    expect(parseCSeq(alice.last().message).method).toBe('CANCEL');

    const cancel = bob.lastRequest('CANCEL');
    expect(branchOf(cancel.message)).toBe(branchOf(bobInvite.message));
    expect((cancel.message as SipRequest).uri).toBe((bobInvite.message as SipRequest).uri);
    await bob.respond(cancel, 200, 'OK');
    await bob.respond(bobInvite, 487, 'Request Terminated');
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated']);
    expect(bob.ladder().slice(-1)).toEqual([`ACK ${(bobInvite.message as SipRequest).uri} SIP/2.0`]);

    await send(alice, ackFor(invite, alice.lastResponse(487)));
    expect(bob.ladder().filter((l) => l.startsWith('ACK'))).toHaveLength(1);
  });

  it('before any provisional: held back (RFC 3261 §9.1) and sent when bob answers 100', async () => {
    const { alice, bob, invite, bobInvite } = await ringing();
    await send(alice, cancelFor(invite));
    expect(alice.ladder()).toEqual(['SIP/2.0 200 OK']);
    expect(bob.ladder()).toEqual([`INVITE ${(bobInvite.message as SipRequest).uri} SIP/2.0`]);

    await bob.respond(bobInvite, 100, 'Trying');
    await settle();
    expect(bob.lastRequest('CANCEL')).toBeDefined();
  });

  it('answers a CANCEL that matches no transaction with 481', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    await send(alice, serializeSipMessage(alice.request('CANCEL', 'sip:bob@lab.test')));
    expect(alice.ladder()).toEqual(['SIP/2.0 481 Call/Transaction Does Not Exist']);
  });
});

describe('fr_inv_timer (inviteTimeoutMs)', () => {
  it('fires after the 180: CANCEL goes to bob, 408 to alice, and bob\'s later 487 is ACKed but not relayed', async () => {
    const { alice, bob, invite, bobInvite } = await ringing({ inviteTimeoutMs: 3000 });
    await bob.respond(bobInvite, 180, 'Ringing');
    await settle();
    lab.clock.advance(2999);
    await settle();
    expect(bob.ladder()).toEqual([`INVITE ${(bobInvite.message as SipRequest).uri} SIP/2.0`]);

    lab.clock.advance(1);
    await settle();
    expect(bob.lastRequest('CANCEL')).toBeDefined();
    expect(alice.ladder()).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 408 Request Timeout']);
    expect(getHeader(alice.last().message, 'to')).toMatch(/;tag=/);

    await send(alice, ackFor(invite, alice.lastResponse(408)));
    await bob.respond(bob.lastRequest('CANCEL'), 200, 'OK');
    await bob.respond(bobInvite, 487, 'Request Terminated');
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 408 Request Timeout']);
    expect(bob.ladder().slice(-1)).toEqual([`ACK ${(bobInvite.message as SipRequest).uri} SIP/2.0`]);
  });

  it('before any provisional the longer fr_timer applies, and it answers 408 without a CANCEL', async () => {
    const { alice, bob } = await ringing({ inviteTimeoutMs: 3000 });
    lab.clock.advance(3000);
    await settle();
    expect(alice.inbox).toEqual([]);
    lab.clock.advance(29_000);
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 408 Request Timeout']);
    expect(bob.ladder().some((l) => l.startsWith('CANCEL'))).toBe(false);
  });
});
