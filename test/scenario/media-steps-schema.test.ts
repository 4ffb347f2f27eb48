import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { configErrorOf, summary, writeYaml } from '../config/helpers.js';

const HEAD = 'id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob }\nsteps:\n  - call: { from: caller, to: callee }\n    waitFor: confirmed\n';

describe('scenario media steps: dtmf, hold, unhold', () => {
  it('reads dtmf, hold and unhold steps and expect.media digits', async () => {
    const file = writeYaml(
      `${HEAD}  - dtmf: { from: caller, digits: "12ab*#" }\n  - hold: callee\n  - unhold: callee\n  - hangup: caller\nexpect:\n  media:\n    callee: { digits: "12AB*#" }\n`,
    );
    const scenario = await loadScenarioFile(file, {});
    expect(scenario.steps.slice(1)).toEqual([
      { kind: 'dtmf', role: 'caller', digits: '12AB*#' },
      { kind: 'hold', role: 'callee', hold: true },
      { kind: 'hold', role: 'callee', hold: false },
      { kind: 'hangup', role: 'caller' },
    ]);
    expect(scenario.expect.media).toEqual({ callee: { digits: '12AB*#' } });
  });

  it('names file, line and path of bad digits, unknown roles and a step with two actions', async () => {
    const file = writeYaml(
      `${HEAD}  - dtmf: { from: nobody, digits: "12x" }\n  - dtmf: { from: caller, digits: 1234 }\n  - hold: ghost\n  - unhold: caller\n    hold: caller\nexpect:\n  media:\n    callee: { digits: "9!" }\n`,
    );
    const error = await configErrorOf(loadScenarioFile(file, {}));
    expect(summary(error.problems)).toEqual([
      '7 steps[1].dtmf.digits: expected DTMF digits 0-9, *, #, A-D, e.g. "1234#"',
      '7 steps[1].dtmf.from: unknown role "nobody"',
      '8 steps[2].dtmf.digits: expected DTMF digits as a quoted string, e.g. "1234#"',
      '9 steps[3].hold: unknown role "ghost"',
      '10 steps[4]: step has more than one action (hold, unhold)',
      '14 expect.media.callee.digits: expected DTMF digits 0-9, *, #, A-D, e.g. "1234#"',
    ]);
    expect(error.message).toContain(`${file}:7`);
  });
});
