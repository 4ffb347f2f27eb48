import { afterEach, describe, expect, it } from 'vitest';
import { decodeDtmfPayload } from '../../src/media/dtmf.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { payloadType, rtpSent, scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

function dtmfScenario(expected: string): Promise<import('../../src/config/scenario-types.js').Scenario> {
  return scenarioFrom(`dtmf-${expected.replace(/[^0-9A-D]/g, 'x')}`, [
    'id: dtmf-digits',
    'title: Alice keys digits, Bob hears them',
    'roles: { caller: alice, callee: bob }',
    'behaviour:',
    '  callee: { onInvite: answer, ringFor: 0.2s }',
    'steps:',
    '  - call: { from: caller, to: callee, name: main }',
    '    waitFor: confirmed',
    '  - wait: 0.3s',
    '  - dtmf: { from: caller, digits: "1234#" }',
    '  - wait: 0.2s',
    '  - hangup: caller',
    'expect:',
    '  call: main',
    '  media:',
    `    callee: { digits: "${expected}", hears: caller }`,
  ]);
}

describe('scenario dtmf step over real bots and the embedded proxy', () => {
  let lab: MediaLab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('alice sends 1234# as RFC 4733 events; bob records each digit once despite the end-packet retransmissions', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const result = await runScenario(await dtmfScenario('1234#'), { bots: lab.bots, events: lab.events, settleMs: 300 });

    expect(result.difference).toBeUndefined();
    expect(result.passed).toBe(true);
    expect(result.media?.callee).toMatchObject({ party: 'bob', dtmf: '1234#' });
    expect(result.media?.caller?.dtmf).toBeUndefined();
    // On the wire: telephone-event packets (PT 101 as offered), each end packet sent three times (§2.5.1.4).
    const events = rtpSent(lab.recorded, 'alice').filter((p) => payloadType(p) === 101).map((p) => decodeDtmfPayload(p.bytes.subarray(12)));
    const ends = events.filter((e) => e.end);
    expect(ends.map((e) => e.event)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 11, 11, 11]);
    expect(events.length).toBeGreaterThan(ends.length);
  });

  it('fails naming the digits expected and the digits received', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const result = await runScenario(await dtmfScenario('1235#'), { bots: lab.bots, events: lab.events, settleMs: 300 });

    expect(result.passed).toBe(false);
    expect(result.difference).toBe('expected the callee to receive DTMF "1235#", received "1234#"');
  });

  it('a dtmf step for a role without a connected call fails the case with the reason', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('dtmf-idle', [
      'id: dtmf-idle',
      'title: Digits with no call',
      'roles: { caller: alice, callee: bob }',
      'steps:',
      '  - dtmf: { from: caller, digits: "1" }',
      '  - call: { from: caller, to: callee }',
    ]);
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 0 });
    expect(result.passed).toBe(false);
    expect(result.difference).toBe('dtmf 1: caller (alice) has no connected call');
  });
});
