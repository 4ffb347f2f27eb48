import { describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { DEFAULT_BEHAVIOUR } from '../../src/config/behaviour.js';
import { caseLimits, caseTimeoutMs, STEP_SLACK_MS, stepLimitMs } from '../../src/scenario/case-timeout.js';
import { scenarioFrom } from './support/media-bots.js';

const bots = (ringForMs: number) =>
  new Map(['alice', 'bob'].map((name) => [name, { account: { behaviour: { ...DEFAULT_BEHAVIOUR, ringForMs } } } as unknown as Bot]));

describe("a suite case's time limit, derived from its own timings", () => {
  it('adds waits, awaits, call timers (each call step may also take the step timeout) and the latest expected call to 10 s of slack plus one step timeout', async () => {
    const scenario = await scenarioFrom('limit', [
      'id: limit',
      'title: t',
      'roles: { caller: alice, callee: bob }',
      'steps:',
      '  - call: { from: caller, to: callee, cancelAfter: 3s, hangupAfter: 2s }',
      '  - wait: 1.5s',
      '  - await: { call: in, within: 4s }',
      '  - hangup: caller',
      'expect:',
      '  calls:',
      '    in: { to: callee, within: 12s }',
    ]);
    // 10 + 20 (end of case) + (20 + 3 + 2) + 1.5 + 4 + 20 (hangup) + 12 (latest arrival)
    expect(caseTimeoutMs(scenario, 20_000)).toBe(92_500);
  });
});

describe('the step limit of a case comes from its own timings (no fixed 20 s)', () => {
  it('gives a call that hangs up after 62 s more than 62 s to reach terminated, and the case more still', async () => {
    const scenario = await scenarioFrom('long-call', [
      'id: long-call',
      'title: t',
      'roles: { caller: alice, callee: bob }',
      'steps:',
      '  - call: { from: caller, to: callee, hangupAfter: 62s, name: main }',
      '    waitFor: terminated',
      'expect: { call: main, outcome: answered }',
    ]);
    const limits = caseLimits(scenario, bots(1000));
    expect(limits.stepMs).toBeGreaterThanOrEqual(62_000 + STEP_SLACK_MS);
    expect(limits.caseMs).toBeGreaterThan(limits.stepMs + 62_000);
  });

  it("adds waits, the case's behaviour overrides, proxy timers and the bots' own ring times", async () => {
    const scenario = await scenarioFrom('slow', [
      'id: slow',
      'title: t',
      'roles: { caller: alice, callee: bob }',
      'behaviour:',
      '  callee: { onInvite: answer, ringFor: 30s }',
      'proxy: { inviteTimeout: 40s }',
      'steps:',
      '  - call: { from: caller, to: callee, name: main }',
      '  - wait: 25s',
      '  - hangup: caller',
      'expect: { call: main, outcome: answered }',
    ]);
    expect(stepLimitMs(scenario, bots(2000))).toBe(STEP_SLACK_MS + 25_000 + 30_000 + 40_000 + 2 * 2000);
  });
});
