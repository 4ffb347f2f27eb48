import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHeader } from '../../src/sip/message/headers.js';
import { parseSipMessage } from '../../src/sip/message/parse-message.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { scenarioFrom, startMediaLab, wire, type MediaLab } from './support/media-bots.js';


const tagOf = (header: string | undefined) => /;\s*tag=([^;\s]+)/.exec(header ?? '')?.[1];

const lines = (id: string, consultWaitFor: string, targetRing: string, extra: string[]) => [
  `id: ${id}`,
  'title: Alice consults Carol, then transfers Bob to her',
  'roles: { caller: alice, callee: bob, target: carol }',
  `behaviour: { callee: { onInvite: answer, ringFor: 0.1s }, target: { onInvite: answer, ringFor: ${targetRing} } }`,
  'steps:',
  '  - call: { from: caller, to: callee, name: first }',
  '    waitFor: confirmed',
  '  - call: { from: caller, to: target, name: consult }',
  `    waitFor: ${consultWaitFor}`,
  '  - transfer: { from: caller, call: first, attended: consult }',
  ...extra,
];

describe('attended transfer (REFER with Replaces, RFC 5589 §7, RFC 3891) over real bots and the embedded proxy', () => {
  let lab: MediaLab;
  beforeAll(async () => {
    lab = await startMediaLab(['alice', 'bob', 'carol']);
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('alice REFERs bob to carol with Replaces naming her consult call; bob INVITEs carol with Replaces, carol answers without ringing time and BYEs the consult call, NOTIFY sipfrag 200, alice BYEs bob', async () => {
    const from = Date.now();
    const scenario = await scenarioFrom('attended-ok', lines('attended-transfer', 'confirmed', '0.1s', [
      '  - await: { call: replaced, state: confirmed, within: 5s }',
      '  - wait: 0.3s',
      '  - hangup: callee',
      'expect:',
      '  call: first',
      '  calls:',
      '    replaced: { to: target, from: bob, within: 10s, status: 200, leg: [<INVITE, 100>?, 180>?, 200/INVITE>, <ACK, <BYE, 200/BYE>] }',
      '  headers:',
      '    callee: { "<REFER": { Refer-To: "~ ^<sip:carol@lab\\\\.test\\\\?Replaces=" } }',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300, stepTimeoutMs: 5000 });
    expect(result.difference).toBeUndefined();
    expect(result.calls?.['replaced']).toMatchObject({ arrived: true, finalStatus: 200, passed: true });

    // The consult call as alice placed it: her tag, carol's tag, its Call-ID.
    const aliceOut = wire(lab, 'alice', 'out', from);
    const carolIn = wire(lab, 'carol', 'in', from);
    const consultInvite = parseSipMessage(carolIn.find((e) => e.method === 'INVITE' && /^From:.*alice/im.test(e.raw))!.raw);
    const consultCallId = getHeader(consultInvite, 'Call-ID')!;
    const aliceTag = tagOf(getHeader(consultInvite, 'From'));
    const consultOk = parseSipMessage(wire(lab, 'carol', 'out', from).find((e) => e.callId === consultCallId && e.status === 200 && e.cseq?.endsWith('INVITE'))!.raw);
    const carolTag = tagOf(getHeader(consultOk, 'To'));

    const refer = parseSipMessage(aliceOut.find((e) => e.method === 'REFER')!.raw);
    expect(getHeader(refer, 'Call-ID')).not.toBe(consultCallId);
    expect(getHeader(refer, 'Refer-To')).toBe(`<sip:carol@lab.test?Replaces=${encodeURIComponent(`${consultCallId};to-tag=${carolTag};from-tag=${aliceTag}`)}>`);

    const replacing = parseSipMessage(carolIn.find((e) => e.method === 'INVITE' && /^From:.*bob/im.test(e.raw))!.raw);
    expect(getHeader(replacing, 'Replaces')).toBe(`${consultCallId};to-tag=${carolTag};from-tag=${aliceTag}`);
    expect(getHeader(replacing, 'Referred-By')).toMatch(/sip:alice@lab\.test/);

    // Carol ends the consult call herself (BYE to alice) once bob's call is up.
    const carolSent = wire(lab, 'carol', 'out', from).map((e) => `${e.method ?? `${e.status}/${e.cseq?.split(' ')[1]}`} ${e.callId === consultCallId ? 'consult' : e.callId === getHeader(replacing, 'Call-ID') ? 'replacing' : 'other'}`);
    expect(carolSent.indexOf('BYE consult')).toBeGreaterThan(carolSent.indexOf('200/INVITE replacing'));

    // Alice hears the outcome as sipfrag, then leaves bob with BYE.
    const sipfrags = wire(lab, 'alice', 'in', from).filter((e) => e.method === 'NOTIFY').map((e) => parseSipMessage(e.raw).body.trim());
    expect(sipfrags.at(-1)).toBe('SIP/2.0 200 OK');
    const aliceSent = aliceOut.map((e) => e.method ?? `${e.status}/${e.cseq?.split(' ')[1]}`);
    expect(aliceSent.lastIndexOf('BYE')).toBeGreaterThan(aliceSent.lastIndexOf('200/NOTIFY'));
  });

  it('broken twin: a consultation call still ringing cannot be the target of an attended transfer, and the step says so', async () => {
    const scenario = await scenarioFrom('attended-ringing', lines('attended-ringing', 'ringing', '10s', ['  - hangup: caller', 'expect: { call: first }']));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300, stepTimeoutMs: 5000 });
    expect(result.difference).toBe('attended transfer by caller (alice) of first to the far end of consult: consult is ringing, not connected (the consultation call must be answered first)');
  });
});
