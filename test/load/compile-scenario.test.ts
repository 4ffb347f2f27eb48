import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import type { Scenario } from '../../src/config/scenario-types.js';
import { compileScenario, ScenarioCompileError } from '../../src/load/plan/compile-scenario.js';

/** What each lab file becomes on the lean load path, and what is refused and why. */
const lab = (id: string): Promise<Scenario> => loadScenarioFile(`scenarios/lab/${id}.yaml`, {});

function scenario(over: Partial<Scenario>): Scenario {
  return {
    file: 'inline.yaml',
    id: 'inline',
    title: 'inline',
    roles: { caller: 'alice', callee: 'bob' },
    behaviour: {},
    proxy: {},
    steps: [{ kind: 'call', name: 'call-1', from: 'caller', to: { kind: 'role', role: 'callee' }, waitFor: 'terminated' }],
    expect: { call: 'call-1', legs: {}, media: {} },
    ...over,
  };
}

function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ScenarioCompileError) return error.reasons;
    throw error;
  }
  throw new Error('expected the scenario to be refused');
}

describe('compileScenario: lab files', () => {
  it('cancel: the callee rings until CANCEL, the caller cancels after 1 s, 487 expected', async () => {
    const script = compileScenario(await lab('cancel'));
    expect(script.callee).toEqual({ action: 'ring', ringForMs: 0, finalStatus: '' });
    expect(script.caller).toEqual({ expectStatus: 487, cancelAfterMs: 1000 });
    expect(script.spanMs).toBe(1000);
  });

  it('reject and no-answer-callee-408: ring, then the final status with its reason phrase', async () => {
    expect(compileScenario(await lab('reject')).callee).toEqual({ action: 'reject', ringForMs: 1000, finalStatus: '486 Busy Here' });
    expect(compileScenario(await lab('reject')).caller.expectStatus).toBe(486);
    const timeout = compileScenario(await lab('no-answer-callee-408'));
    expect(timeout.callee).toEqual({ action: 'reject', ringForMs: 2000, finalStatus: '408 Request Timeout' });
    expect(timeout.caller.expectStatus).toBe(408);
  });

  it('answer-bye-callee: the callee hangs up 2 s after the ACK and the caller waits for that BYE', async () => {
    const script = compileScenario(await lab('answer-bye-callee'));
    expect(script.callee).toEqual({ action: 'answer', ringForMs: 500, finalStatus: '200 OK', hangupAfterMs: 2000 });
    expect(script.caller).toEqual({ expectStatus: 200, awaitByeMs: 2000 });
    expect(script.spanMs).toBe(2500);
  });

  it('answer-bye-caller: the caller hangs up 2 s after the answer', async () => {
    expect(compileScenario(await lab('answer-bye-caller')).caller).toEqual({ expectStatus: 200, hangupAfterMs: 2000 });
  });

  it('refuses busy-in-call, busy-self and no-answer-proxy-408 with their reasons', async () => {
    const busy = await lab('busy-in-call');
    expect(refusal(() => compileScenario(busy))).toEqual([expect.stringMatching(/^it has 2 call steps \(first, main\)/), expect.stringMatching(/^steps\[2\] is a hangup step/)]);
    const self = await lab('busy-self');
    expect(refusal(() => compileScenario(self))).toEqual([expect.stringMatching(/caller's own bot \(alice\)/)]);
    const proxy = await lab('no-answer-proxy-408');
    expect(refusal(() => compileScenario(proxy))).toEqual([expect.stringMatching(/proxy\.inviteTimeout/)]);
  });
});

describe('compileScenario: expectations and targets', () => {
  it('without expect, the end follows from the behaviour and the cancel', () => {
    const ringing = { callee: { onInvite: 'answer' as const, ringForMs: 3000 } };
    const cancelling = scenario({ behaviour: ringing, steps: [{ kind: 'call', name: 'call-1', from: 'caller', to: { kind: 'role', role: 'callee' }, cancelAfterMs: 1000, waitFor: 'terminated' }] });
    expect(compileScenario(cancelling).caller.expectStatus).toBe(487);
    expect(compileScenario(scenario({ behaviour: ringing })).caller.expectStatus).toBe(200);
    expect(compileScenario(scenario({ behaviour: { callee: { onInvite: 'reject', rejectWith: 603 } } })).caller.expectStatus).toBe(603);
    expect(compileScenario(scenario({ behaviour: { callee: { onInvite: 'reject', rejectWith: 603 } } })).callee.finalStatus).toBe('603 Decline');
  });

  it('expect.status wins; an outcome that contradicts it is refused', () => {
    expect(compileScenario(scenario({ expect: { call: 'call-1', outcome: 'rejected', status: 480, legs: {}, media: {} } })).caller.expectStatus).toBe(480);
    expect(refusal(() => compileScenario(scenario({ expect: { call: 'call-1', outcome: 'answered', status: 486, legs: {}, media: {} } })))).toEqual([
      'expect.outcome answered contradicts expect.status 486',
    ]);
  });

  it('a fixed target URI is refused while the callees are ours, and played with --callee-uri (the callee script then ignored)', () => {
    const fixed = scenario({ steps: [{ kind: 'call', name: 'call-1', from: 'caller', to: { kind: 'uri', uri: 'sip:ivr@lab.test' }, hangupAfterMs: 500, waitFor: 'terminated' }] });
    expect(refusal(() => compileScenario(fixed))).toEqual([expect.stringMatching(/fixed URI sip:ivr@lab\.test .*--callee-uri/)]);
    const script = compileScenario(fixed, { calleeUri: 'sip:uas@127.0.0.1:5070' });
    expect(script.caller).toEqual({ expectStatus: 200, hangupAfterMs: 500 });
    expect(script.spanMs).toBe(500);
  });

  it('refuses expected incoming calls (expect.calls), naming them and pointing to sipbots run', async () => {
    const incoming = await loadScenarioFile('scenarios/examples/incoming-calls.yaml', {});
    expect(refusal(() => compileScenario(incoming))).toContainEqual(expect.stringMatching(/^it expects incoming calls \(expect\.calls: answered, declined\);.*sipbots run$/));
  });

  it('lists every reason at once', () => {
    const many = scenario({
      proxy: { inviteTimeoutMs: 3000 },
      steps: [
        { kind: 'wait', ms: 100 },
        { kind: 'call', name: 'a', from: 'caller', to: { kind: 'role', role: 'callee' }, waitFor: 'terminated' },
        { kind: 'call', name: 'b', from: 'caller', to: { kind: 'role', role: 'callee' }, waitFor: 'terminated' },
      ],
    });
    const reasons = refusal(() => compileScenario(many));
    expect(reasons).toHaveLength(3);
    expect(reasons.join('\n')).toMatch(/2 call steps \(a, b\)[\s\S]*steps\[0\] is a wait step[\s\S]*proxy\.inviteTimeout/);
  });
});
