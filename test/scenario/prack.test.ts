import { afterEach, describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { rtpSent, scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

const sipOf = (lab: MediaLab, party: string, direction: 'in' | 'out') =>
  lab.recorded.filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === party && e.direction === direction && !e.retransmission);
const headerOf = (raw: string, name: string) => new RegExp(`^${name}:[ \\t]*([^\\r\\n]*)`, 'im').exec(raw)?.[1];
const body = (raw: string) => raw.split('\r\n\r\n')[1] ?? '';
/** The INVITE that got past the proxy's challenge, as bob received it. */
const inviteAtBob = (lab: MediaLab) => sipOf(lab, 'bob', 'in').find((e) => e.method === 'INVITE')!;

const scenarioLines = (behaviour: string, call: string, legs: string[], media: string[] = []) => [
  'id: prack',
  'title: Reliable provisional responses',
  'roles: { caller: alice, callee: bob }',
  'behaviour:',
  `  callee: ${behaviour}`,
  'steps:',
  `  - call: { from: caller, to: callee, name: main, hangupAfter: 0.3s${call} }`,
  '    waitFor: terminated',
  'expect:',
  '  call: main',
  '  legs:',
  ...legs,
  ...media,
];

describe('PRACK and reliable provisionals (RFC 3262) over real bots and the embedded proxy', () => {
  let lab: MediaLab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('alice offers Supported: 100rel, bob requires it: his 183 carries Require: 100rel and RSeq, alice PRACKs with RAck, 200 to the PRACK, then 200 to the INVITE', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('prack', scenarioLines('{ onInvite: answer, earlyMedia: 0.6s, rel100: required }', ', rel100: supported', [
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <183, PRACK>, <200/PRACK, <200/INVITE, ACK>, BYE>, <200/BYE]',
      '    callee: [<INVITE, 100>?, 183>, <PRACK, 200/PRACK>, 200/INVITE>, <ACK, <BYE, 200/BYE>]',
    ], ['  media:', '    caller: { hearsBeforeAnswer: callee }']));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();

    const invite = inviteAtBob(lab);
    expect(headerOf(invite.raw, 'Supported')).toMatch(/\b100rel\b/);
    expect(headerOf(invite.raw, 'Require')).toBeUndefined();
    const progress = sipOf(lab, 'alice', 'in').find((e) => e.status === 183)!;
    expect(headerOf(progress.raw, 'Require')).toBe('100rel');
    const rseq = headerOf(progress.raw, 'RSeq')!;
    expect(rseq).toMatch(/^\d+$/);
    const prack = sipOf(lab, 'bob', 'in').find((e) => e.method === 'PRACK')!;
    // RFC 3262 §7.2: RAck is the RSeq, then the CSeq number and method of the response.
    expect(headerOf(prack.raw, 'RAck')).toBe(`${rseq} ${headerOf(progress.raw, 'CSeq')}`);
    const sent = sipOf(lab, 'bob', 'out');
    const prackOk = sent.find((e) => e.status === 200 && e.cseq?.endsWith('PRACK'))!;
    const inviteOk = sent.find((e) => e.status === 200 && e.cseq?.endsWith('INVITE'))!;
    expect(prackOk.at).toBeLessThan(inviteOk.at);
  });

  it('alice requires 100rel and bob only supports it: his 183 goes reliably all the same, and her INVITE said Require: 100rel', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('prack-required-by-caller', scenarioLines('{ onInvite: answer, earlyMedia: 0.3s, rel100: supported }', ', rel100: required', [
      '    callee: [<INVITE, 100>?, 183>, <PRACK, 200/PRACK>, 200/INVITE>, <ACK, <BYE, 200/BYE>]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();
    expect(headerOf(inviteAtBob(lab).raw, 'Require')).toBe('100rel');
  });

  it('a reliable 180 (rel100 without early media) carries the SDP answer, yet bob sends no RTP until his 200', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('reliable-ringing', scenarioLines('{ onInvite: answer, ringFor: 0.8s, rel100: supported }', ', rel100: supported', [
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, PRACK>, <200/PRACK, <200/INVITE, ACK>, BYE>, <200/BYE]',
    ], ['  media:', '    caller: { hears: callee }']));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();
    const ringing = sipOf(lab, 'bob', 'out').find((e) => e.status === 180)!;
    expect(headerOf(ringing.raw, 'Require')).toBe('100rel');
    expect(body(ringing.raw)).toMatch(/^m=audio /m);
    const ok = sipOf(lab, 'bob', 'out').find((e) => e.status === 200 && e.cseq?.endsWith('INVITE'))!;
    expect(rtpSent(lab.recorded, 'bob').filter((p) => p.at < ok.at - 200)).toEqual([]);
    expect(rtpSent(lab.recorded, 'bob').length).toBeGreaterThan(5);
  });

  it('broken twin: bob requires 100rel and alice does not offer it, so he answers 421 Extension Required and the expected PRACK leg fails naming it', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('prack-not-offered', scenarioLines('{ onInvite: answer, earlyMedia: 0.3s, rel100: required }', '', [
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <183, PRACK>, <200/PRACK, <200/INVITE, ACK>, BYE>, <200/BYE]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toMatch(/^expected <183 on the caller leg after <100\?, saw 421 Extension Required \(INVITE\) received/);
    const refusal = sipOf(lab, 'bob', 'out').find((e) => e.status === 421)!;
    expect(refusal.raw).toMatch(/^SIP\/2\.0 421 Extension Required\r$/m);
    expect(headerOf(refusal.raw, 'Require')).toBe('100rel');
    expect(sipOf(lab, 'alice', 'out').some((e) => e.method === 'PRACK')).toBe(false);
  });

  it('broken twin: bob only supports 100rel and alice does not offer it: his 183 is unreliable (no Require, no RSeq), no PRACK, and a leg expecting one fails', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('prack-unreliable', scenarioLines('{ onInvite: answer, earlyMedia: 0.3s, rel100: supported }', '', [
      '    callee: [<INVITE, 100>?, 183>, <PRACK, 200/PRACK>, 200/INVITE>, <ACK, <BYE, 200/BYE>]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toMatch(/^expected <PRACK on the callee leg after 183>, saw 200 OK \(INVITE\) sent/);
    const progress = sipOf(lab, 'bob', 'out').find((e) => e.status === 183)!;
    expect(headerOf(progress.raw, 'Require')).toBeUndefined();
    expect(headerOf(progress.raw, 'RSeq')).toBeUndefined();
  });
});
