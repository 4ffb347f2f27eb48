import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { configErrorOf, summary, writeYaml } from './helpers.js';

const HEAD = 'id: incoming\ntitle: T\nroles: { caller: alice, callee: bob }\n';

describe('expect.calls and await steps in a scenario file', () => {
  it('resolves an expected call: receiving role, caller pattern, within, behaviour, status, leg and media', async () => {
    const file = writeYaml(
      `${HEAD}steps:\n  - await: { call: from-phone, state: confirmed, within: 5s }\nexpect:\n  calls:\n    from-phone:\n      to: callee\n      from: "sip:linphone@*"\n      within: 20s\n      behaviour: { onInvite: answer, ringFor: 2s }\n      status: 200\n      leg: [<INVITE, 180>, 200/INVITE>, <ACK, <BYE, 200/BYE>]\n      media: { hears: 700 }\n`,
    );
    const scenario = await loadScenarioFile(file, {});
    expect(scenario.steps).toEqual([{ kind: 'await', call: 'from-phone', state: 'confirmed', withinMs: 5000 }]);
    expect(scenario.expect.calls).toEqual([
      expect.objectContaining({ name: 'from-phone', role: 'callee', from: { kind: 'uri', text: 'sip:linphone@*' }, withinMs: 20_000, behaviour: { onInvite: 'answer', ringForMs: 2000 }, status: 200, media: { hears: 700 } }),
    ]);
    expect(scenario.expect.calls?.[0]?.leg?.map((p) => p.text)).toEqual(['<INVITE', '180>', '200/INVITE>', '<ACK', '<BYE', '200/BYE>']);
    expect(scenario.expect.call).toBe('');
  });

  it('defaults: from anyone, within 30 s, await state confirmed', async () => {
    const scenario = await loadScenarioFile(writeYaml(`${HEAD}steps:\n  - await: { call: x }\nexpect:\n  calls:\n    x: { to: callee }\n`), {});
    expect(scenario.expect.calls?.[0]).toMatchObject({ from: { kind: 'any' }, withinMs: 30_000 });
    expect(scenario.steps[0]).toMatchObject({ kind: 'await', state: 'confirmed' });
  });

  it('reports every problem at once with its line: unknown roles, a missing to, a bad state, an await on no call or on a later call step, a name clash', async () => {
    const file = writeYaml(
      [
        HEAD.trimEnd(),
        'steps:',
        '  - await: { call: later, state: answered }',
        '  - await: { call: nobody, role: ghost }',
        '  - call: { from: caller, to: callee, name: later }',
        'expect:',
        '  calls:',
        '    later: { to: callee }',
        '    missing-to: { from: any, status: 200 }',
        '    bad-role: { to: stranger, media: { hears: nobody }, ringFor: 1s }',
        '',
      ].join('\n'),
    );
    const error = await configErrorOf(loadScenarioFile(file, {}));
    expect(summary(error.problems)).toEqual([
      '5 steps[0].await.state: invalid value "answered"',
      '6 steps[1].await.role: unknown role "ghost"',
      '6 steps[1].await.call: no expected call or call step named "nobody"',
      '10 expect.calls.later: "later" names both a call step and an expected call',
      '11 expect.calls.missing-to.to: required field is missing',
      '12 expect.calls.bad-role.ringFor: unknown key "ringFor"',
      '12 expect.calls.bad-role.to: unknown role "stranger"',
      '12 expect.calls.bad-role.media.hears: unknown role "nobody"',
    ]);
    expect(error.problems.find((p) => p.path === 'steps[1].await.call')?.hint).toBe('expected calls: later, missing-to, bad-role; call steps before this one: none');
  });
});
