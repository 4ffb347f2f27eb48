import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { configErrorOf, summary, writeYaml } from './helpers.js';

const HEAD = 'id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob, target: carol }\nsteps:\n  - call: { from: caller, to: callee, name: first }\n';

async function messages(file: string): Promise<string[]> {
  return summary((await configErrorOf(loadScenarioFile(file, {}))).problems);
}

describe('transfer and subscribe steps in a scenario file', () => {
  it('reads an attended transfer naming the call and the consultation', async () => {
    const scenario = await loadScenarioFile(writeYaml(`${HEAD}  - call: { from: caller, to: target, name: consult }\n  - transfer: { from: caller, call: first, attended: consult }\n`), {});
    expect(scenario.steps[2]).toEqual({ kind: 'transfer', role: 'caller', attended: 'consult', call: 'first' });
  });

  it('wants exactly one of to and attended, and earlier call steps by name', async () => {
    expect(await messages(writeYaml(`${HEAD}  - transfer: { from: caller, to: target, attended: first }\n  - transfer: { from: caller }\n  - transfer: { from: caller, attended: later }\n  - call: { from: caller, to: target, name: later }\n`))).toEqual([
      '6 steps[1].transfer: a transfer needs exactly one of to (blind) and attended (a call step name)',
      '7 steps[2].transfer: a transfer needs exactly one of to (blind) and attended (a call step name)',
      '8 steps[3].transfer.attended: no earlier call step named "later"',
    ]);
  });

  it('reads a subscribe step with its defaults, and refuses a bad event name, regex and role', async () => {
    const scenario = await loadScenarioFile(writeYaml(`${HEAD}  - subscribe: { from: caller, to: callee, event: presence }\n`), {});
    expect(scenario.steps[1]).toEqual({ kind: 'subscribe', role: 'caller', to: 'callee', event: 'presence', expires: 600, unsubscribe: true });
    const problems = await messages(writeYaml(`${HEAD}  - subscribe: { from: caller, to: ghost, event: "pres ence", notify: "(", expires: 0 }\n`));
    expect(problems).toEqual([
      '6 steps[1].subscribe.event: expected an event package name such as presence, message-summary or dialog',
      '6 steps[1].subscribe.expires: expected a whole number from 1 to 86400, got 0',
      '6 steps[1].subscribe.notify: expected an ECMAScript regular expression the NOTIFY body must match, e.g. "<basic>open</basic>"',
      '6 steps[1].subscribe.to: unknown role "ghost"',
    ]);
  });
});
