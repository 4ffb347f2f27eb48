import { describe, expect, it } from 'vitest';
import { callEnding, endingParty } from '../../src/scenario/call-ending.js';
import type { LegResult } from '../../src/scenario/result-types.js';

/** The legs as the lab cases observe them, from the second INVITE on. */
function legs(caller: string, callee?: string): Record<string, LegResult> {
  const leg = (party: string, flow: string): LegResult => ({ party, expected: [], observed: flow.split(/\s+/).filter(Boolean) });
  const start = 'INVITE> <100 <407 ACK> INVITE> <100 ';
  return { caller: leg('alice', start + caller), ...(callee === undefined ? {} : { callee: leg('bob', '<INVITE 100> ' + callee) }) };
}

describe('how a call ended, read off its legs', () => {
  it.each([
    ['answer-bye-caller: alice sends BYE', legs('<180 <200/INVITE ACK> BYE> <200/BYE', '180> 200/INVITE> <ACK <BYE 200/BYE>'), 'caller-bye', 'caller'],
    ['answer-bye-callee: bob sends BYE', legs('<180 <200/INVITE ACK> <BYE 200/BYE>', '180> 200/INVITE> <ACK BYE> <200/BYE'), 'callee-bye', 'callee'],
    ['reject: bob rings, then answers 486', legs('<180 <486 ACK>', '180> 486> <ACK'), 'callee-rejected', 'callee'],
    ['reject with 603 Decline', legs('<180 <603 ACK>', '180> 603> <ACK'), 'callee-rejected', 'callee'],
    ['busy-in-call: 486 at once, no 180', legs('<486 ACK>', '486> <ACK'), 'callee-busy', 'callee'],
    ['busy-self: only the caller leg, 486 without ringing', legs('<486 ACK>'), 'callee-busy', 'callee'],
    ['no-answer / cancel: alice cancels, 487', legs('<180 CANCEL> <200/CANCEL <487 ACK>', '180> <CANCEL 200/CANCEL> 487> <ACK'), 'caller-cancel', 'caller'],
    ['no-answer-as-captured: alice cancels, the server still answers 408', legs('<180 CANCEL> <200/CANCEL <408 ACK>', '180> <CANCEL 200/CANCEL> 487> <ACK'), 'caller-cancel', 'caller'],
    ['no-answer-callee-408: bob answers 408', legs('<180 <408 ACK>', '180> 408> <ACK'), 'callee-timer', 'callee'],
    ['no-answer-proxy-408: alice gets a 408 bob never sent', legs('<180 <408 ACK>', '180> <CANCEL 200/CANCEL> 487> <ACK'), 'proxy-timer', 'proxy'],
  ])('%s', (_name, flows, ending, party) => {
    expect(callEnding(flows)).toBe(ending);
    expect(endingParty(callEnding(flows)!)).toBe(party);
  });

  it('names nobody when the proxy itself refused the call (404, no callee leg)', () => {
    expect(callEnding(legs('<404 ACK>'))).toBeUndefined();
  });

  it('names nobody for a call still ringing', () => {
    expect(callEnding(legs('<180', '180>'))).toBeUndefined();
  });
});
