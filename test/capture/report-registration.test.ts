import { describe, expect, it } from 'vitest';
import { buildRegistrationReports } from '../../src/capture/report-registration.js';
import { hop, sip, T0 } from './fixtures/call-events.js';

/**
 * alice registers (401, credentials, 200 for 60 s), refreshes at 54 s when the nonce has
 * expired (401 stale=true, credentials for the new nonce, 200), and unregisters at the end.
 */
function registrationEvents() {
  const register = (cseq: number, branch: string, extra: string[] = [], expires = 60) =>
    sip([
      'REGISTER sip:lab.test SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK${branch}`,
      'From: <sip:alice@lab.test>;tag=r1',
      'To: <sip:alice@lab.test>',
      'Call-ID: reg-alice',
      `CSeq: ${cseq} REGISTER`,
      'Max-Forwards: 70',
      ...extra,
      `Contact: <sip:alice@127.0.0.1:5070>;expires=${expires}`,
    ]);
  const response = (status: string, cseq: number, branch: string, extra: string[]) =>
    sip([`SIP/2.0 ${status}`, `Via: SIP/2.0/UDP 127.0.0.1:5070;rport=5070;branch=z9hG4bK${branch}`, 'From: <sip:alice@lab.test>;tag=r1', 'To: <sip:alice@lab.test>;tag=s1', 'Call-ID: reg-alice', `CSeq: ${cseq} REGISTER`, ...extra]);
  const challenge = (nonce: string, stale = false) => `WWW-Authenticate: Digest realm="lab.test", nonce="${nonce}", opaque="op1", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  const credentials = (nonce: string) =>
    `Authorization: Digest username="alice", realm="lab.test", nonce="${nonce}", uri="sip:lab.test", response="0123456789abcdef0123456789abcdef", algorithm=MD5, opaque="op1", qop=auth, nc=00000001, cnonce="c1"`;
  const hops = [
    { at: 0, from: 'alice', to: 'proxy', raw: register(1, 'a') },
    { at: 5, from: 'proxy', to: 'alice', raw: response('401 Unauthorized', 1, 'a', [challenge('n1')]) },
    { at: 10, from: 'alice', to: 'proxy', raw: register(2, 'b', [credentials('n1')]) },
    { at: 15, from: 'proxy', to: 'alice', raw: response('200 OK', 2, 'b', ['Contact: <sip:alice@127.0.0.1:5070>;expires=60']) },
    { at: 54_000, from: 'alice', to: 'proxy', raw: register(3, 'c', [credentials('n1')]) },
    { at: 54_005, from: 'proxy', to: 'alice', raw: response('401 Unauthorized', 3, 'c', [challenge('n2', true)]) },
    { at: 54_010, from: 'alice', to: 'proxy', raw: register(4, 'd', [credentials('n2')]) },
    { at: 54_015, from: 'proxy', to: 'alice', raw: response('200 OK', 4, 'd', ['Contact: <sip:alice@127.0.0.1:5070>;expires=60']) },
    { at: 60_000, from: 'alice', to: 'proxy', raw: register(5, 'e', [credentials('n2')], 0) },
    { at: 60_005, from: 'proxy', to: 'alice', raw: response('200 OK', 5, 'e', []) },
  ] as const;
  return hops.flatMap((h) => hop({ ...h, at: T0 + h.at }));
}

describe('the registration section', () => {
  it('tells REGISTER, 401, REGISTER with credentials, 200, a refresh met by stale=true, and the unregister', () => {
    const [alice, ...others] = buildRegistrationReports(registrationEvents(), 61_000, 'en');
    expect(others).toEqual([]);
    expect(alice!.party).toBe('alice');
    expect(alice!.rows.map((r) => r.kind)).toEqual([
      'register',
      'challenge-401',
      'register-auth',
      'ok-register',
      'register-refresh',
      'challenge-401',
      'register-refresh',
      'ok-register',
      'unregister',
      'ok-register',
    ]);
    expect(alice!.grantedS).toBe(60);
    expect(alice!.refreshes).toBe(1);
    expect(alice!.summary).toContain('refreshed the registration 1 time(s)');
    expect(alice!.summary).toContain('unregistered with expires=0');
    const stale = alice!.rows[5]!;
    expect(stale.facts).toContainEqual(['stale', 'true']);
    expect(stale.text).toContain('the nonce had expired');
    // Digest fields whole: the full response hash and qop, never clipped.
    expect(alice!.rows[2]!.facts).toEqual(expect.arrayContaining([['response', '0123456789abcdef0123456789abcdef'], ['qop', 'auth'], ['nonce', 'n1'], ['realm', 'lab.test']]));
  });

  it('says why a short run shows no refresh, in both languages', () => {
    const events = registrationEvents().filter((e) => e.type === 'sip' && e.at < T0 + 1000);
    expect(buildRegistrationReports(events, 21_000, 'en')[0]!.summary).toContain('This run lasted 21 s and the agent refreshes at about 54 s');
    expect(buildRegistrationReports(events, 21_000, 'zh')[0]!.summary).toContain('本次运行只持续了 21 秒');
  });

  it('gives the expiry granted to the bot’s own binding when the 200 lists another device’s first (RFC 3261 §10.2.4)', () => {
    const request = (cseq: number, expires: number) =>
      sip(['REGISTER sip:lab.test SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKm' + cseq, 'From: <sip:alice@lab.test>;tag=r1', 'To: <sip:alice@lab.test>', 'Call-ID: reg-multi', `CSeq: ${cseq} REGISTER`, 'Max-Forwards: 70', `Contact: <sip:alice@127.0.0.1:5070;transport=udp>;expires=${expires}`]);
    // The desk phone's binding (3600 s) first, alice's own (granted 45 s of the 60 asked) second, in one header and in two.
    const ok = (cseq: number, contacts: string[], expires = ['Expires: 7200']) =>
      sip(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 127.0.0.1:5070;rport=5070;branch=z9hG4bKm' + cseq, 'From: <sip:alice@lab.test>;tag=r1', 'To: <sip:alice@lab.test>;tag=s1', 'Call-ID: reg-multi', `CSeq: ${cseq} REGISTER`, ...contacts, ...expires]);
    const events = [
      { at: 0, from: 'alice', to: 'proxy', raw: request(1, 60) },
      { at: 5, from: 'proxy', to: 'alice', raw: ok(1, ['Contact: <sip:alice@192.0.2.7:5060>;expires=3600, <sip:alice@127.0.0.1:5070;transport=udp>;expires=45']) },
      { at: 40_000, from: 'alice', to: 'proxy', raw: request(2, 60) },
      { at: 40_005, from: 'proxy', to: 'alice', raw: ok(2, ['Contact: <sip:alice@192.0.2.7:5060>;expires=3560', 'Contact: <sip:ALICE@127.0.0.1:5070>;expires=45']) },
      { at: 41_000, from: 'alice', to: 'proxy', raw: request(3, 0) },
      // The unregister's 200 still lists the desk phone, but no binding of alice's: no refresh.
      { at: 41_005, from: 'proxy', to: 'alice', raw: ok(3, ['Contact: <sip:alice@192.0.2.7:5060>;expires=3559'], []) },
    ] as const;
    const [alice] = buildRegistrationReports(events.flatMap((h) => hop({ ...h, at: T0 + h.at })), 42_000, 'en');
    expect(alice!.grantedS).toBe(45);
    expect(alice!.summary).toContain('The registrar granted 45 s.');
    expect(alice!.refreshes).toBe(1);
  });
});
