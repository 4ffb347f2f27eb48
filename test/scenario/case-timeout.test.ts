import { describe, expect, it } from 'vitest';
import { caseTimeoutMs } from '../../src/scenario/case-timeout.js';
import { scenarioFrom } from './support/media-bots.js';

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
