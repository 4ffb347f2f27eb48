import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStatsEvent, SipMessageEvent } from '../../src/events/types.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { rtpSent, scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

const sipOf = (lab: MediaLab, party: string, direction: 'in' | 'out') =>
  lab.recorded.filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === party && e.direction === direction && !e.retransmission);
const body = (raw: string) => raw.split('\r\n\r\n')[1] ?? '';

/** alice calls bob; bob's behaviour and alice's media expectation vary. */
const scenarioLines = (behaviour: string, callerMedia: string, legs: string[]) => [
  'id: early-media',
  'title: Bob plays early media before he answers',
  'roles: { caller: alice, callee: bob }',
  'behaviour:',
  `  callee: ${behaviour}`,
  'steps:',
  '  - call: { from: caller, to: callee, name: main }',
  '    waitFor: confirmed',
  '  - wait: 0.5s',
  '  - hangup: caller',
  'expect:',
  '  call: main',
  '  legs:',
  ...legs,
  '  media:',
  `    caller: ${callerMedia}`,
];

describe('early media over real bots and the embedded proxy: 183 with SDP, the callee tone before the 200', () => {
  let lab: MediaLab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('bob answers 183 Session Progress with his SDP, sends his tone for 1 s, then 200 with the same answer; alice hears it before the answer', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('early-media', scenarioLines('{ onInvite: answer, earlyMedia: 1s }', '{ hearsBeforeAnswer: callee, hears: callee }', [
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <183, <200/INVITE, ACK>, BYE>, <200/BYE]',
      '    callee: [<INVITE, 183>, 200/INVITE>, <ACK, <BYE, 200/BYE>]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();

    const sent = sipOf(lab, 'bob', 'out');
    const progress = sent.find((e) => e.status === 183)!;
    const ok = sent.find((e) => e.status === 200 && e.cseq?.endsWith('INVITE'))!;
    expect(progress.raw).toMatch(/^Content-Type: application\/sdp\r$/im);
    expect(body(progress.raw)).toMatch(/^m=audio \d+ RTP\/AVP /m);
    // RFC 6337 §3.1: an answer in an unreliable 1xx is repeated, unchanged, in the 2xx.
    expect(body(ok.raw)).toBe(body(progress.raw));
    expect(sent.some((e) => e.status === 180)).toBe(false);
    // Bob's RTP starts with his answer in the 183 (after the INVITE came), about a second before his 200.
    const invite = sipOf(lab, 'bob', 'in').find((e) => e.method === 'INVITE')!;
    const firstRtp = rtpSent(lab.recorded, 'bob')[0]!;
    expect(firstRtp.at).toBeGreaterThanOrEqual(invite.at);
    expect(firstRtp.at).toBeLessThan(progress.at + 200);
    expect(ok.at - firstRtp.at).toBeGreaterThan(800);
    const stats = lab.recorded.find((e): e is MediaStatsEvent => e.type === 'media-stats' && e.party === 'alice')!;
    expect(stats.received.beforeAnswer?.packets).toBeGreaterThan(20);
    expect(Math.abs((stats.received.beforeAnswer?.detectedHz ?? 0) - lab.bots.get('bob')!.account.tone)).toBeLessThanOrEqual(25);
  });

  it('broken twin: bob only rings (180, no SDP), so alice expecting early media fails saying she heard nothing before the 200', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('no-early-media', scenarioLines('{ onInvite: answer, ringFor: 1s }', '{ hearsBeforeAnswer: callee }', [
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200/INVITE, ACK>, BYE>, <200/BYE]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toMatch(/^expected the caller to hear \d+ Hz before the answer, heard nothing before the 200 \(\d RTP packets; no early media\)/);
    // Bob sent nothing before his 200.
    const ok = sipOf(lab, 'bob', 'out').find((e) => e.status === 200 && e.cseq?.endsWith('INVITE'))!;
    expect(rtpSent(lab.recorded, 'bob').filter((p) => p.at < ok.at - 200)).toEqual([]);
  });

  it('broken twin: the early media is a tone of another pitch than the one expected, and the difference names both', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('wrong-early-tone', scenarioLines('{ onInvite: answer, earlyMedia: 1s }', '{ hearsBeforeAnswer: 1500 }', [
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <183, <200/INVITE, ACK>, BYE>, <200/BYE]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toMatch(new RegExp(`^expected the caller to hear 1500 Hz before the answer, heard ${lab.bots.get('bob')!.account.tone} Hz before the 200`));
  });
});
