import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, getHeaderValues } from '../../src/sip/message/headers.js';
import { register, startLab, type Lab } from './support/lab.js';
import { settle } from './support/phone.js';

let lab: Lab;
afterEach(async () => lab?.stop());

describe('registrar', () => {
  it('challenges a REGISTER with 401, then binds the contact and lists it in the 200', async () => {
    lab = await startLab();
    const bob = await lab.phone('bob');
    const ok = await register(bob, { expires: 60 });

    expect(bob.ladder()).toEqual(['SIP/2.0 401 Unauthorized', 'SIP/2.0 200 OK']);
    const challenge = getHeader(bob.inbox[0]!.message, 'www-authenticate')!;
    expect(challenge).toMatch(/^Digest realm="lab.test", nonce="[^"]+", opaque="[0-9a-f]+", algorithm=MD5, qop="auth"$/);
    expect(ok.status).toBe(200);
    expect(getHeaderValues(ok, 'contact')).toEqual([`<${bob.contact()}>;expires=60`]);
    expect(lab.proxy.location.lookup('bob')).toHaveLength(1);
  });

  it('lets the binding vanish once it expires, and removes it at once with Expires: 0', async () => {
    lab = await startLab();
    const bob = await lab.phone('bob');
    await register(bob, { expires: 60 });
    lab.clock.advance(61_000);
    expect(lab.proxy.location.lookup('bob')).toEqual([]);

    await register(bob, { expires: 60 });
    expect(lab.proxy.location.lookup('bob')).toHaveLength(1);
    const removed = await register(bob, { expires: 0 });
    expect(removed.status).toBe(200);
    expect(getHeaderValues(removed, 'contact')).toEqual([]);
    expect(lab.proxy.location.lookup('bob')).toEqual([]);
  });

  it('answers an expiry under its minimum with 423 Interval Too Brief and Min-Expires, binds nothing, and takes the minimum when asked again', async () => {
    lab = await startLab({ minExpiresS: 120 });
    const bob = await lab.phone('bob');
    const brief = await register(bob, { expires: 60 });
    expect(brief.status).toBe(423);
    expect(brief.reason).toBe('Interval Too Brief');
    expect(getHeader(brief, 'min-expires')).toBe('120');
    expect(lab.proxy.location.lookup('bob')).toEqual([]);

    const ok = await register(bob, { expires: 120 });
    expect(ok.status).toBe(200);
    expect(getHeaderValues(ok, 'contact')).toEqual([`<${bob.contact()}>;expires=120`]);
    // Expires 0 is a removal, never too brief (§10.3 step 7 applies to non-zero expiries).
    expect((await register(bob, { expires: 0 })).status).toBe(200);
    expect(lab.proxy.location.lookup('bob')).toEqual([]);
  });

  it('answers a wrong password with 403 Forbidden, not another challenge', async () => {
    lab = await startLab();
    const bob = await lab.phone('bob');
    const first = bob.request('REGISTER', 'sip:lab.test', { to: '<sip:bob@lab.test>' });
    await bob.send(first);
    await settle();
    await bob.send(bob.withCredentials(first, bob.lastResponse(401), 'not-the-password'));
    await settle();
    expect(bob.ladder()).toEqual(['SIP/2.0 401 Unauthorized', 'SIP/2.0 403 Forbidden']);
  });

  it('answers credentials on an expired nonce with a new 401 carrying stale=true', async () => {
    lab = await startLab({ nonceTtlMs: 30_000 });
    const bob = await lab.phone('bob');
    const first = bob.request('REGISTER', 'sip:lab.test', { to: '<sip:bob@lab.test>' });
    await bob.send(first);
    await settle();
    lab.clock.advance(31_000);
    await bob.send(bob.withCredentials(first, bob.lastResponse(401)));
    await settle();
    expect(bob.ladder()).toEqual(['SIP/2.0 401 Unauthorized', 'SIP/2.0 401 Unauthorized']);
    expect(getHeader(bob.last().message, 'www-authenticate')).toContain('stale=true');
  });

  it('refuses alice registering as bob with 403', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    const first = alice.request('REGISTER', 'sip:lab.test', { to: '<sip:bob@lab.test>' });
    await alice.send(first);
    await settle();
    await alice.send(alice.withCredentials(first, alice.lastResponse(401)));
    await settle();
    expect(alice.lastResponse().status).toBe(403);
  });

  it('accepts SHA-256 credentials and offers SHA-256 before MD5 when both are on', async () => {
    lab = await startLab({ algorithm: 'both' });
    const bob = await lab.phone('bob');
    const ok = await register(bob);
    const challenges = bob.inbox[0]!.message.headers.filter((h) => h.key === 'www-authenticate').map((h) => h.value);
    expect(challenges.map((c) => /algorithm=([\w-]+)/.exec(c)![1])).toEqual(['SHA-256', 'MD5']);
    expect(ok.status).toBe(200);
  });

  it('forgets bindings made over a TCP connection when that connection closes', async () => {
    lab = await startLab();
    const bob = await lab.phone('bob', 'tcp');
    await register(bob);
    expect(lab.proxy.location.lookup('bob')).toHaveLength(1);
    const socket = bob.socket as import('./support/fake-network.js').FakeSipSocket;
    socket.closeFlow(bob.inbox[0]!.flow.id);
    expect(lab.proxy.location.lookup('bob')).toEqual([]);
  });
});
