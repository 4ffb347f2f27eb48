import { describe, expect, it } from 'vitest';
import { RegistrationError, ServerUnreachableError } from '../../src/bot/errors.js';
import { failoverFinding, failoverReason, registerOutcome, type RequestOutcome } from '../../src/bot/failover.js';

/**
 * The one RFC 3263 §4.3 decision: which outcomes of a request outside a dialog (REGISTER, its
 * refreshes, INVITE, MESSAGE, OPTIONS) send it on to the next server target.
 */
const outcome = (status: number, reason: string, more: Partial<RequestOutcome> = {}): RequestOutcome => ({ status, reason, local: false, provisional: false, ...more });

describe('failoverReason', () => {
  it('fails over on a transport error: sip.js’s own 503, with the cause when the transport gave one', () => {
    const refused = Object.assign(new Error('tcp connection to 127.0.0.1:5070 refused'), { code: 'ECONNREFUSED' });
    expect(failoverReason(outcome(503, 'Service Unavailable', { local: true, sendError: refused }))).toBe('the transport could not send (tcp connection to 127.0.0.1:5070 refused)');
    expect(failoverReason(outcome(503, 'Service Unavailable', { local: true }))).toBe('the transport could not send');
  });

  it('fails over on a local timeout: sip.js’s own 408 (Timer B/F), or the bot’s shorter deadline', () => {
    expect(failoverReason(outcome(408, 'Request Timeout', { local: true }))).toMatch(/^no response at all/);
    expect(failoverReason(outcome(408, 'Request Timeout', { local: true, deadline: 'no answer from sip:127.0.0.1:5060 over udp after 2 s' }))).toBe('no answer from sip:127.0.0.1:5060 over udp after 2 s');
  });

  it('fails over on a 503 from the server itself, with or without Retry-After (RFC 3261 §21.5.4: an alternate server either way)', () => {
    // The outcome carries no Retry-After: the decision does not depend on it.
    expect(failoverReason(outcome(503, 'Overloaded'))).toBe('503 Overloaded from the server');
    expect(failoverReason(outcome(503, 'Service Unavailable'))).toBe('503 Service Unavailable from the server');
  });

  it('does not fail over on a 408 the server sent: it answered', () => {
    expect(failoverReason(outcome(408, 'Request Timeout'))).toBeUndefined();
  });

  it('does not fail over once the server has answered anything provisional (100 Trying included)', () => {
    expect(failoverReason(outcome(503, 'Service Unavailable', { provisional: true }))).toBeUndefined();
    expect(failoverReason(outcome(503, 'Service Unavailable', { local: true, provisional: true }))).toBeUndefined();
    expect(failoverReason(outcome(408, 'Request Timeout', { local: true, provisional: true }))).toBeUndefined();
  });

  it('does not fail over on any other final response: 4xx, 5xx, 6xx', () => {
    for (const [status, reason] of [[400, 'Bad Request'], [401, 'Unauthorized'], [403, 'Forbidden'], [404, 'Not Found'], [486, 'Busy Here'], [500, 'Server Internal Error'], [502, 'Bad Gateway'], [504, 'Server Time-out'], [603, 'Decline']] as const) {
      expect(failoverReason(outcome(status, reason)), `${status}`).toBeUndefined();
    }
    // A 500 sip.js would never make up, but only 408 and 503 count as local failures anyway.
    expect(failoverReason(outcome(500, 'Server Internal Error', { local: true }))).toBeUndefined();
  });
});

describe('registerOutcome: a REGISTER’s failure as the same outcome', () => {
  it('the bot’s own deadline is a local timeout, saying how long it waited', () => {
    const unreachable = new ServerUnreachableError('sip:127.0.0.1:5060;transport=udp', 'udp', 2000);
    expect(failoverReason(registerOutcome(unreachable, undefined)!)).toBe(unreachable.message);
  });

  it('a refusal keeps how its response came: a local 408 fails over, the server’s 408 does not', () => {
    const local = new RegistrationError('alice', 'sip:alice@lab.test', 408, 'Request Timeout', { local: true, provisional: false });
    const server = new RegistrationError('alice', 'sip:alice@lab.test', 408, 'Request Timeout', { local: false, provisional: false });
    expect(failoverReason(registerOutcome(local, undefined)!)).toMatch(/^no response at all/);
    expect(failoverReason(registerOutcome(server, undefined)!)).toBeUndefined();
  });

  it('a local 503 names the send error the bot saw; a send that threw is a transport error itself', () => {
    // As Node raises it: the errno in `code`, which is what says "refused" (not the text).
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5070'), { code: 'ECONNREFUSED' });
    const unsent = new RegistrationError('alice', 'sip:alice@lab.test', 503, 'Service Unavailable', { local: true, provisional: false });
    expect(failoverReason(registerOutcome(unsent, refused)!)).toBe('the transport could not send (connect ECONNREFUSED 127.0.0.1:5070)');
    expect(failoverReason(registerOutcome(refused, undefined)!)).toBe('the transport could not send (connect ECONNREFUSED 127.0.0.1:5070)');
  });

  it('an error that says nothing of the server is no outcome (never a reason to move on)', () => {
    expect(registerOutcome(new TypeError('registration is undefined'), undefined)).toBeUndefined();
  });
});

describe('failoverFinding', () => {
  it('says what failed where, why, and where the request goes next (the same for INVITE, MESSAGE, OPTIONS)', () => {
    expect(failoverFinding('MESSAGE', 'tcp 127.0.0.1:5070 (a.lab.test)', 'the transport could not send', 'tcp 127.0.0.1:5080 (b.lab.test)')).toBe(
      'MESSAGE via tcp 127.0.0.1:5070 (a.lab.test) failed: the transport could not send; trying the next server target, tcp 127.0.0.1:5080 (b.lab.test): registering there, then sending the MESSAGE again (RFC 3263 §4.3)',
    );
  });
});
