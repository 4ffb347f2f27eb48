import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { configErrorOf, summary, writeYaml } from '../config/helpers.js';

const HEAD = 'id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob }\n';

describe('scenario schema: earlyMedia, rel100 and hearsBeforeAnswer', () => {
  it('reads the callee behaviour, the call step option and the media expectation', async () => {
    const file = writeYaml(
      `${HEAD}behaviour:\n  callee: { earlyMedia: 1.5s, rel100: required }\nsteps:\n  - call: { from: caller, to: callee, rel100: supported }\nexpect:\n  media:\n    caller: { hearsBeforeAnswer: callee }\n`,
    );
    const scenario = await loadScenarioFile(file, {});
    expect(scenario.behaviour['callee']).toEqual({ earlyMediaMs: 1500, rel100: 'required' });
    expect(scenario.steps[0]).toMatchObject({ kind: 'call', rel100: 'supported' });
    expect(scenario.expect.media).toEqual({ caller: { hearsBeforeAnswer: 'callee' } });
  });

  it('names file, line and path of a bad duration, an unknown rel100 value and an unknown role to hear', async () => {
    const file = writeYaml(
      `${HEAD}behaviour:\n  callee: { earlyMedia: soon, rel100: maybe }\nsteps:\n  - call: { from: caller, to: callee, rel100: always }\nexpect:\n  media:\n    caller: { hearsBeforeAnswer: ghost }\n`,
    );
    const error = await configErrorOf(loadScenarioFile(file, {}));
    const problems = summary(error.problems);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^5 behaviour\.callee\.earlyMedia: invalid duration "soon"/);
    expect(problems[1]).toBe('5 behaviour.callee.rel100: invalid value "maybe"');
    expect(problems[2]).toBe('7 steps[0].call.rel100: invalid value "always"');
    expect(error.problems.filter((p) => p.path.endsWith('rel100')).map((p) => p.hint)).toEqual(['use one of: supported, required', 'use one of: supported, required']);
    expect(problems[3]).toBe('10 expect.media.caller.hearsBeforeAnswer: unknown role "ghost"');
  });
});
