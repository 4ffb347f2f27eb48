import { describe, expect, it } from 'vitest';
import { requestFailoverReason, type RequestOutcome } from '../../src/bot/server-address.js';

/** Which outcomes of a request outside a dialog send it on to the next server target (RFC 3263 §4.3). */
const outcome = (status: number, reason: string, more: Partial<RequestOutcome> = {}): RequestOutcome => ({ status, reason, local: false, provisional: false, ...more });

describe('requestFailoverReason', () => {
  it('fails over on a failed send, on no answer at all, and on a 503 from the server itself', () => {
    const refused = Object.assign(new Error('tcp connection to 127.0.0.1:5070 refused'), { code: 'ECONNREFUSED' });
    expect(requestFailoverReason(outcome(503, 'Service Unavailable', { local: true, sendError: refused }))).toBe('the transport could not send (tcp connection to 127.0.0.1:5070 refused)');
    expect(requestFailoverReason(outcome(503, 'Service Unavailable', { local: true }))).toBe('the transport could not send');
    expect(requestFailoverReason(outcome(408, 'Request Timeout', { local: true }))).toMatch(/^no response at all/);
    expect(requestFailoverReason(outcome(503, 'Overloaded'))).toBe('503 Overloaded from the server');
  });

  it('does not fail over once the server has answered anything provisional (100 Trying included)', () => {
    expect(requestFailoverReason(outcome(503, 'Service Unavailable', { provisional: true }))).toBeUndefined();
    expect(requestFailoverReason(outcome(503, 'Service Unavailable', { local: true, provisional: true }))).toBeUndefined();
  });

  it('does not fail over on any other final response: a received 408, 486, 500, 502, 504, 603', () => {
    for (const [status, reason] of [[408, 'Request Timeout'], [486, 'Busy Here'], [500, 'Server Internal Error'], [502, 'Bad Gateway'], [504, 'Server Time-out'], [603, 'Decline'], [404, 'Not Found']] as const) {
      expect(requestFailoverReason(outcome(status, reason)), `${status}`).toBeUndefined();
    }
    // A 500 sip.js would never make up, but only 408 and 503 count as local failures anyway.
    expect(requestFailoverReason(outcome(500, 'Server Internal Error', { local: true }))).toBeUndefined();
  });
});
