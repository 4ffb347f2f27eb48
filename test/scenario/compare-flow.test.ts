import { describe, expect, it } from 'vitest';
import { parseFlowPattern } from '../../src/config/flow-pattern.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { compareFlow } from '../../src/scenario/compare-flow.js';
import { flowToken, legMessages } from '../../src/scenario/observed-flow.js';

/** A message at `party` from a token such as `INVITE>` or `<200/CANCEL`. */
function message(token: string, options: { party?: string; callId?: string; toTag?: boolean; retransmission?: boolean } = {}): SipMessageEvent {
  const out = token.endsWith('>');
  const body = out ? token.slice(0, -1) : token.slice(1);
  const [head, cseqMethod] = body.split('/');
  const status = /^\d+$/.test(head!) ? Number(head) : undefined;
  const method = status === undefined ? head : undefined;
  const cseq = `1 ${cseqMethod ?? (method === 'ACK' ? 'INVITE' : method ?? 'INVITE')}`;
  return {
    type: 'sip',
    at: 0,
    party: options.party ?? 'alice',
    direction: out ? 'out' : 'in',
    transport: 'udp',
    local: { address: '127.0.0.1', port: 1 },
    remote: { address: '127.0.0.1', port: 2 },
    raw: `${method ? `${method} sip:x SIP/2.0` : `SIP/2.0 ${status} X`}\r\nTo: <sip:x>${options.toTag ? ';tag=t' : ''}\r\n\r\n`,
    startLine: method ? `${method} sip:x SIP/2.0` : `SIP/2.0 ${status} ${status === 487 ? 'Request Terminated' : 'Reason'}`,
    method,
    status,
    callId: options.callId ?? 'c1',
    cseq,
    ...(options.retransmission ? { retransmission: true } : {}),
  };
}

const flow = (...tokens: string[]) => tokens.map((t) => message(t));
const patterns = (...texts: string[]) => texts.map(parseFlowPattern);

describe('compareFlow', () => {
  const cancelled = patterns('INVITE>', '<100?', '<180', 'CANCEL>', '<200/CANCEL', '<487', 'ACK>');

  it('agrees with a caller that cancelled as expected, without the optional 100', () => {
    expect(compareFlow('caller', cancelled, flow('INVITE>', '<180', 'CANCEL>', '<200/CANCEL', '<487', 'ACK>'))).toBeUndefined();
  });

  it('names the first difference: a 200 where the 487 should be', () => {
    expect(compareFlow('callee', patterns('<INVITE', '180>', '<CANCEL', '200/CANCEL>', '487>', '<ACK'), flow('<INVITE', '180>', '<CANCEL', '200/CANCEL>', '200/INVITE>', '<ACK'))).toBe(
      'expected 487> on the callee leg after 200/CANCEL>, saw 200 Reason (INVITE) sent',
    );
  });

  it('says what is missing when the flow stops early', () => {
    expect(compareFlow('caller', cancelled, flow('INVITE>', '<100', '<180', 'CANCEL>'))).toBe('expected <200/CANCEL on the caller leg after CANCEL>, saw nothing');
  });

  it('ignores provisional responses nobody asked for (a 183 from a gateway)', () => {
    expect(compareFlow('caller', cancelled, flow('INVITE>', '<183', '<180', 'CANCEL>', '<200/CANCEL', '<487', 'ACK>'))).toBeUndefined();
  });

  it('accepts a 180 that a multi-worker proxy delivered after the 200', () => {
    const answered = patterns('INVITE>', '<100?', '<180', '<200/INVITE', 'ACK>', 'BYE>', '<200/BYE');
    expect(compareFlow('caller', answered, flow('INVITE>', '<100', '<200/INVITE', '<180', 'ACK>', 'BYE>', '<200/BYE'))).toBeUndefined();
  });

  it('still fails when an expected 180 never came at all', () => {
    const answered = patterns('INVITE>', '<180', '<200/INVITE', 'ACK>');
    expect(compareFlow('caller', answered, flow('INVITE>', '<200/INVITE', 'ACK>'))).toMatch(/expected <180 on the caller leg/);
  });

  it('accepts the INVITE\'s 487 before the CANCEL\'s 200: two transactions a multi-worker proxy answers in parallel', () => {
    expect(compareFlow('caller', cancelled, flow('INVITE>', '<180', 'CANCEL>', '<487', '<200/CANCEL', 'ACK>'))).toBeUndefined();
  });

  it('accepts an INFO that overtook the ACK before it, even answered before the ACK came (two requests a multi-worker proxy relays in parallel)', () => {
    const legs = patterns('<INVITE', '100>?', '180>', '200/INVITE>', '<ACK', '<INFO', '200/INFO>');
    expect(compareFlow('callee', legs, flow('<INVITE', '180>', '200/INVITE>', '<INFO', '<ACK', '200/INFO>'))).toBeUndefined();
    // Seen from Kamailio in test:interop: the INFO, bob's 200 to it, and only then the ACK.
    expect(compareFlow('callee', legs, flow('<INVITE', '180>', '200/INVITE>', '<INFO', '200/INFO>', '<ACK'))).toBeUndefined();
    // An ACK that never came is still missing, and what the party sends keeps its order.
    expect(compareFlow('callee', legs, flow('<INVITE', '180>', '200/INVITE>', '<INFO', '200/INFO>'))).toMatch(/^expected <ACK on the callee leg after 200\/INVITE>, saw INFO received/);
  });

  it('keeps the order of what the party sends, and of one transaction', () => {
    const legs = patterns('<INVITE', '200/INVITE>', '<ACK', '<BYE', '200/BYE>');
    // The ACK may come late, past the BYE and its answer: two transactions.
    expect(compareFlow('callee', legs, flow('<INVITE', '200/INVITE>', '<BYE', '200/BYE>', '<ACK'))).toBeUndefined();
    expect(compareFlow('callee', patterns('<INVITE', '200/INVITE>', '<ACK', 'BYE>', '<200/BYE'), flow('<INVITE', 'BYE>', '200/INVITE>', '<ACK', '<200/BYE'))).toBe(
      'expected 200/INVITE> on the callee leg after <INVITE, saw BYE sent',
    );
    // The BYE cannot be late past the answer to it.
    expect(compareFlow('callee', legs, flow('<INVITE', '200/INVITE>', '<ACK', '200/BYE>', '<BYE'))).toBe('expected <BYE on the callee leg after <ACK, saw 200 Reason (BYE) sent');
  });

  it('does not take a response whose partner never came as swapped', () => {
    expect(compareFlow('caller', cancelled, flow('INVITE>', '<180', 'CANCEL>', '<487', 'ACK>'))).toBe('expected <200/CANCEL on the caller leg after CANCEL>, saw 487 Request Terminated (INVITE) received');
  });

  it('reports messages after the expected flow ended', () => {
    expect(compareFlow('caller', patterns('INVITE>', '<486', 'ACK>'), flow('INVITE>', '<486', 'ACK>', 'BYE>'))).toMatch(/^unexpected BYE sent on the caller leg after ACK>/);
  });
});

describe('legMessages', () => {
  it('counts an ACK sent again for a re-sent 200 once, even when it came with a branch of its own', () => {
    const events = [message('<INVITE'), message('200>'), message('<ACK', { toTag: true }), message('200>', { retransmission: true }), message('<ACK', { toTag: true }), message('<BYE', { toTag: true })];
    expect(legMessages(events, 'alice', 'c1', 'callee').map(flowToken)).toEqual(['<INVITE', '200/INVITE>', '<ACK', '<BYE']);
  });

  it('splits a self-call: the caller leg has what alice sent as caller, the callee leg what she did as callee', () => {
    const events = [
      message('INVITE>'), message('<100'), message('<INVITE'), message('100>'), message('486>'), message('<486'), message('ACK>'), message('<ACK'),
      message('<486', { retransmission: true }),
    ];
    expect(legMessages(events, 'alice', 'c1', 'caller').map(flowToken)).toEqual(['INVITE>', '<100', '<486', 'ACK>']);
    expect(legMessages(events, 'alice', 'c1', 'callee').map(flowToken)).toEqual(['<INVITE', '100>', '486>', '<ACK']);
  });

  it('keeps a BYE from the far end (and the answer to it) on the caller leg', () => {
    const events = [message('INVITE>'), message('<200/INVITE'), message('ACK>'), message('<BYE', { toTag: true }), message('200/BYE>')];
    expect(legMessages(events, 'alice', 'c1', 'caller').map(flowToken)).toEqual(['INVITE>', '<200/INVITE', 'ACK>', '<BYE', '200/BYE>']);
  });

  it('takes only the given party and Call-ID', () => {
    const events = [message('INVITE>'), message('INVITE>', { party: 'bob' }), message('INVITE>', { callId: 'c2' })];
    expect(legMessages(events, 'alice', 'c1', 'caller')).toHaveLength(1);
  });
});
