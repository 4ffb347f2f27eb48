import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { payloadType, rtpSent, scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

const sipOf = (lab: MediaLab, from: number) => lab.recorded.filter((e): e is SipMessageEvent => e.type === 'sip' && !e.retransmission && e.at >= from);
const hasToTag = (e: SipMessageEvent) => /^To:[^\r\n]*;tag=/im.test(e.raw);
const sdpOf = (e: SipMessageEvent) => e.raw.split('\r\n\r\n')[1] ?? '';
const audioLine = (e: SipMessageEvent) => /^m=audio \d+ RTP\/AVP ([\d ]+)\r?$/m.exec(sdpOf(e))?.[1];
const directionOf = (e: SipMessageEvent) => /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(sdpOf(e))?.[1];

/** The payload types `party` sent in [from, to). */
function payloadTypes(lab: MediaLab, party: string, from: number, to: number): number[] {
  return [...new Set(rtpSent(lab.recorded, party).filter((p) => p.at >= from && p.at < to).map(payloadType))];
}

function count(lab: MediaLab, party: string, from: number, to: number): number {
  return rtpSent(lab.recorded, party).filter((p) => p.at >= from && p.at < to).length;
}

const head = (id: string) => [`id: ${id}`, `title: ${id}`, 'roles: { caller: alice, callee: bob }', 'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }', 'steps:'];

describe('reinvite and update steps: a new offer changing codec or direction, over real bots and the embedded proxy', () => {
  let lab: MediaLab;
  beforeAll(async () => {
    lab = await startMediaLab(['alice', 'bob']);
  });
  afterAll(async () => {
    await lab.stop();
  });

  const play = async (id: string, step: string, expectLines: string[] = []) => {
    const from = Date.now();
    const lines = [
      ...head(id),
      '  - call: { from: caller, to: callee, name: main }',
      '    waitFor: confirmed',
      '  - wait: 0.6s',
      step,
      '  - wait: 0.8s',
      '  - hangup: caller',
      'expect:',
      '  call: main',
      ...expectLines,
    ];
    const result = await runScenario(await scenarioFrom(id, lines), { bots: lab.bots, events: lab.events, settleMs: 200, stepTimeoutMs: 5000 });
    return { result, from, sip: sipOf(lab, from) };
  };

  it('reinvite PCMU → PCMA: alice offers only PCMA, bob answers PCMA, and both then send payload type 8 instead of 0; legs judged', async () => {
    const { result, sip } = await play('reinvite-codec', '  - reinvite: { from: caller, codec: PCMA }', [
      '  legs:',
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200/INVITE, ACK>, INVITE>, <100?, <200/INVITE, ACK>, BYE>, <200/BYE]',
      '    callee: [<INVITE, 180>, 200/INVITE>, <ACK, <INVITE, 200/INVITE>, <ACK, <BYE, 200/BYE>]',
    ]);
    expect(result.difference).toBeUndefined();
    const reinvite = sip.find((e) => e.party === 'bob' && e.direction === 'in' && e.method === 'INVITE' && hasToTag(e))!;
    expect(audioLine(reinvite)).toBe('8 101');
    const answer = sip.find((e) => e.party === 'bob' && e.direction === 'out' && e.status === 200 && e.cseq === reinvite.cseq)!;
    expect(audioLine(answer)).toMatch(/^8( 101)?$/);
    const ack = sip.find((e) => e.party === 'alice' && e.direction === 'out' && e.method === 'ACK' && e.at > reinvite.at)!;
    const bye = sip.find((e) => e.method === 'BYE')!;
    expect(payloadTypes(lab, 'alice', reinvite.at - 400, reinvite.at)).toEqual([0]);
    expect(payloadTypes(lab, 'bob', reinvite.at - 400, reinvite.at)).toEqual([0]);
    expect(payloadTypes(lab, 'alice', ack.at + 100, bye.at)).toEqual([8]);
    expect(payloadTypes(lab, 'bob', ack.at + 100, bye.at)).toEqual([8]);
  });

  it('reinvite, broken twins: a status the peer does not send, and an answer direction it does not take, each named', async () => {
    const status = await play('reinvite-status-twin', '  - reinvite: { from: caller, codec: PCMA, status: 488 }');
    expect(status.result.difference).toBe('reinvite by caller (alice) offering PCMA: expected 488, got 200 OK');
    const answer = await play('reinvite-answer-twin', '  - reinvite: { from: caller, direction: sendonly, answer: { direction: sendrecv } }');
    expect(answer.result.difference).toBe('reinvite by caller (alice) offering sendonly: expected the answer to say a=sendrecv, it says a=recvonly');
  });

  it('reinvite recvonly by bob (the callee): his offer says a=recvonly, alice answers a=sendonly; bob falls silent, alice keeps sending', async () => {
    const { result, sip } = await play('reinvite-recvonly', '  - reinvite: { from: callee, direction: recvonly, answer: { direction: sendonly, codec: PCMU } }');
    expect(result.difference).toBeUndefined();
    const reinvite = sip.find((e) => e.party === 'alice' && e.direction === 'in' && e.method === 'INVITE' && hasToTag(e))!;
    expect(directionOf(reinvite)).toBe('recvonly');
    const answer = sip.find((e) => e.party === 'alice' && e.direction === 'out' && e.status === 200 && e.cseq === reinvite.cseq)!;
    expect(directionOf(answer)).toBe('sendonly');
    const ack = sip.find((e) => e.party === 'bob' && e.direction === 'out' && e.method === 'ACK' && e.at > reinvite.at)!;
    const bye = sip.find((e) => e.method === 'BYE')!;
    const ms = bye.at - ack.at - 150;
    expect(count(lab, 'bob', ack.at + 150, bye.at)).toBe(0);
    expect(count(lab, 'alice', ack.at + 150, bye.at)).toBeGreaterThanOrEqual(Math.floor((ms / 20) * 0.8));
  });

  it('update PCMA sendonly by alice (RFC 3311): UPDATE> <200/UPDATE on her leg, <UPDATE 200/UPDATE> on bob\'s; bob answers PCMA recvonly; only alice sends, PT 8', async () => {
    const { result, sip } = await play('update-codec', '  - update: { from: caller, codec: PCMA, direction: sendonly, answer: { direction: recvonly } }', [
      '  legs:',
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200/INVITE, ACK>, UPDATE>, <200/UPDATE, BYE>, <200/BYE]',
      '    callee: [<INVITE, 180>, 200/INVITE>, <ACK, <UPDATE, 200/UPDATE>, <BYE, 200/BYE>]',
    ]);
    expect(result.difference).toBeUndefined();
    const update = sip.find((e) => e.party === 'bob' && e.direction === 'in' && e.method === 'UPDATE')!;
    expect(hasToTag(update)).toBe(true);
    expect(update.raw).toMatch(/^Contact: /m);
    expect(audioLine(update)).toBe('8 101');
    expect(directionOf(update)).toBe('sendonly');
    const ok = sip.find((e) => e.party === 'alice' && e.direction === 'in' && e.status === 200 && e.cseq === update.cseq)!;
    expect(audioLine(ok)).toMatch(/^8( 101)?$/);
    expect(directionOf(ok)).toBe('recvonly');
    const bye = sip.find((e) => e.method === 'BYE')!;
    const ms = bye.at - ok.at - 150;
    expect(count(lab, 'bob', ok.at + 150, bye.at)).toBe(0);
    expect(payloadTypes(lab, 'alice', ok.at + 150, bye.at)).toEqual([8]);
    expect(count(lab, 'alice', ok.at + 150, bye.at)).toBeGreaterThanOrEqual(Math.floor((ms / 20) * 0.8));
    // Both sides list UPDATE in Allow (RFC 3311 §5.1): alice's INVITE and bob's 200.
    const invite = sip.find((e) => e.party === 'bob' && e.direction === 'in' && e.method === 'INVITE')!;
    expect(invite.raw).toMatch(/^Allow: .*\bUPDATE\b/m);
    const answered = sip.find((e) => e.party === 'alice' && e.direction === 'in' && e.status === 200 && e.cseq === invite.cseq)!;
    expect(answered.raw).toMatch(/^Allow: .*\bUPDATE\b/m);
  });

  it('update, broken twin: legs that expect a re-INVITE where an UPDATE went name the difference', async () => {
    const { result } = await play('update-legs-twin', '  - update: { from: callee, codec: PCMA }', [
      '  legs:',
      '    callee: [<INVITE, 180>, 200/INVITE>, <ACK, INVITE>, <200/INVITE, ACK>, <BYE, 200/BYE>]',
    ]);
    expect(result.difference).toBe('expected INVITE> on the callee leg after <ACK, saw UPDATE sent');
  });
});
