import { describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { flowToken, legMessages } from '../../src/scenario/observed-flow.js';

/** One message of call c1 at `party`: `token` as in flows, CSeq number, Via branch, To tag or not. */
function message(party: string, token: string, cseq: string, branch: string, toTag: boolean): SipMessageEvent {
  const out = token.endsWith('>');
  const body = out ? token.slice(0, -1) : token.slice(1);
  const [head] = body.split('/');
  const status = /^\d+$/.test(head!) ? Number(head) : undefined;
  const method = status === undefined ? head : undefined;
  return {
    type: 'sip',
    at: 0,
    party,
    direction: out ? 'out' : 'in',
    transport: 'udp',
    local: { address: '127.0.0.1', port: 1 },
    remote: { address: '127.0.0.1', port: 2 },
    raw: `${method ? `${method} sip:x SIP/2.0` : `SIP/2.0 ${status} X`}\r\nTo: <sip:x>${toTag ? ';tag=t' : ''}\r\n\r\n`,
    method,
    status,
    callId: 'c1',
    cseq,
    branch,
  };
}

describe('legs with re-INVITEs (RFC 3261 §14)', () => {
  // bob's view of a call alice placed: he answers, then puts her on hold with his own re-INVITE.
  const bob = [
    message('bob', '<INVITE', '2 INVITE', 'a1', false),
    message('bob', '180>', '2 INVITE', 'a1', true),
    message('bob', '200/INVITE>', '2 INVITE', 'a1', true),
    message('bob', '<ACK', '2 ACK', 'a2', true),
    message('bob', 'INVITE>', '7 INVITE', 'b1', true),
    message('bob', '<100', '7 INVITE', 'b1', true),
    message('bob', '<200/INVITE', '7 INVITE', 'b1', true),
    message('bob', 'ACK>', '7 ACK', 'b2', true),
    message('bob', '<BYE', '3 BYE', 'a3', true),
    message('bob', '200/BYE>', '3 BYE', 'a3', true),
  ];

  it('the callee leg holds its own re-INVITE, the 200 it got and the ACK it sent', () => {
    expect(legMessages(bob, 'bob', 'c1', 'callee').map(flowToken)).toEqual([
      '<INVITE', '180>', '200/INVITE>', '<ACK', 'INVITE>', '<100', '<200/INVITE', 'ACK>', '<BYE', '200/BYE>',
    ]);
  });

  it('without a re-INVITE the caller side of the same Call-ID stays out of the callee leg', () => {
    // A self-call: alice's own INVITE transaction as caller shares the Call-ID; none of it has a re-INVITE's branch.
    const selfCall = [
      message('bob', 'INVITE>', '2 INVITE', 'a1', false),
      message('bob', '<180', '2 INVITE', 'a1', true),
      message('bob', '<200/INVITE', '2 INVITE', 'a1', true),
      message('bob', 'ACK>', '2 ACK', 'a2', true),
    ];
    expect(legMessages([...selfCall, ...bob.slice(0, 4)], 'bob', 'c1', 'callee').map(flowToken)).toEqual(['<INVITE', '180>', '200/INVITE>', '<ACK']);
  });
});
