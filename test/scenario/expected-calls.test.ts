import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

/**
 * Bob is the role under test; carol is an outside phone the scenario knows nothing about: she
 * is registered with the same embedded proxy and calls bob twice, one call after the other.
 */
const HEAD = ['roles: { caller: bob, callee: bob }'];

function expectedCalls(overrides: { firstStatus?: number; firstHears?: number; firstLeg?: string; secondFrom?: string } = {}): string[] {
  return [
    'expect:',
    '  calls:',
    '    answered:',
    '      to: callee',
    '      from: carol',
    '      within: 10s',
    '      behaviour: { onInvite: answer, ringFor: 0.3s }',
    `      status: ${overrides.firstStatus ?? 200}`,
    `      leg: ${overrides.firstLeg ?? '[<INVITE, 100>?, 180>, 200/INVITE>, <ACK, BYE>, <200/BYE]'}`,
    `      media: { hears: ${overrides.firstHears ?? 2000}, minPackets: 20 }`,
    '    declined:',
    '      to: callee',
    `      from: "${overrides.secondFrom ?? 'sip:carol@*'}"`,
    '      within: 10s',
    '      behaviour: { onInvite: reject, ringFor: 0.2s, rejectWith: 603 }',
    '      outcome: rejected',
    '      status: 603',
    '      leg: [<INVITE, 100>?, 180>, 603>, <ACK]',
  ];
}

const STEPS = ['steps:', '  - await: { call: answered, state: confirmed, within: 10s }', '  - wait: 1s', '  - hangup: callee', '  - await: { call: declined, state: terminated, within: 10s }'];

/** Carol calls bob, waits for that call to end, and calls him again. */
async function carolCallsBobTwice(lab: MediaLab): Promise<number[]> {
  const carol = lab.bots.get('carol')!;
  const statuses: number[] = [];
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < 2; i += 1) {
    const call = carol.call('sip:bob@lab.test', { cancelAfter: 3000 });
    await call.reach('terminated');
    statuses.push(call.finalStatus ?? 0);
  }
  return statuses;
}

describe('expect.calls: calls bob receives from an outside phone, through the embedded proxy', () => {
  let lab: MediaLab | undefined;
  afterEach(async () => lab?.stop());

  it('bob answers the first call (tone heard both ways, bob hangs up) and declines the second with 603; both expected calls pass', async () => {
    lab = await startMediaLab(['bob', 'carol']);
    const scenario = await scenarioFrom('bob-receives', ['id: bob-receives', 'title: t', ...HEAD, ...STEPS, ...expectedCalls()]);
    const [result, statuses] = await Promise.all([runScenario(scenario, { bots: lab.bots, events: lab.events }), carolCallsBobTwice(lab)]);
    expect(result.difference).toBeUndefined();
    expect(result.passed).toBe(true);
    expect(statuses).toEqual([200, 603]);
    expect(result.calls?.answered).toMatchObject({ arrived: true, party: 'bob', finalStatus: 200, outcome: 'answered', detectedHz: 2000, passed: true });
    expect(result.calls?.answered?.from).toMatch(/^sip:carol@lab\.test/);
    expect(result.calls?.declined).toMatchObject({ arrived: true, finalStatus: 603, outcome: 'rejected', observed: expect.arrayContaining(['<INVITE', '180>', '603>', '<ACK']), passed: true });
  });

  it('broken twin: expecting 486, 440 Hz, a CANCEL and a call from dave fails on each, naming the expected call and the difference', async () => {
    lab = await startMediaLab(['bob', 'carol']);
    const broken = expectedCalls({ firstStatus: 486, firstHears: 440, firstLeg: '[<INVITE, 180>, <CANCEL]', secondFrom: 'dave' }).map((line) => line.replace('within: 10s', 'within: 4s'));
    const scenario = await scenarioFrom('bob-receives-broken', ['id: bob-receives-broken', 'title: t', ...HEAD, 'steps:', '  - await: { call: answered, state: confirmed, within: 10s }', '  - wait: 1s', '  - hangup: callee', ...broken]);
    const [result] = await Promise.all([runScenario(scenario, { bots: lab.bots, events: lab.events }), carolCallsBobTwice(lab)]);
    expect(result.passed).toBe(false);
    expect(result.difference).toBe('expected call answered: expected callee to end it with 486, it ended with 200 OK');
    expect(result.calls?.answered?.passed).toBe(false);
    expect(result.calls?.declined).toMatchObject({ arrived: false, passed: false, difference: 'received no call from dave within 4 s' });
  });

  it('broken twin: an await on a call that never comes fails the case with where it got to', async () => {
    lab = await startMediaLab(['bob']);
    const scenario = await scenarioFrom('nobody-calls', ['id: nobody-calls', 'title: t', ...HEAD, 'steps:', '  - await: { call: lonely, state: confirmed, within: 1s }', 'expect:', '  calls:', '    lonely: { to: callee, within: 1s }']);
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events });
    expect(result.passed).toBe(false);
    expect(result.difference).toBe('await: call lonely did not reach confirmed within 1 s: callee (bob) received no matching call');
    expect(result.calls?.lonely).toMatchObject({ arrived: false, difference: 'received no call from anyone within 1 s' });
  });
});
