import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { configErrorOf, summary, writeYaml } from '../config/helpers.js';

const HEAD = 'id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob }\nsteps:\n  - call: { from: caller, to: callee }\n    waitFor: confirmed\n';

describe('scenario reinvite and update steps', () => {
  it('reads codec, direction, status and answer expectations', async () => {
    const file = writeYaml(`${HEAD}  - reinvite: { from: caller, codec: PCMA, direction: sendonly, answer: { direction: recvonly } }\n  - update: { from: callee, status: [200, 488] }\n`);
    const scenario = await loadScenarioFile(file, {});
    expect(scenario.steps.slice(1)).toEqual([
      { kind: 'offer', method: 'INVITE', role: 'caller', codec: 'PCMA', direction: 'sendonly', answer: { direction: 'recvonly' } },
      { kind: 'offer', method: 'UPDATE', role: 'callee', status: [200, 488] },
    ]);
  });

  it('names line and path of an unknown codec, direction, role and field', async () => {
    const file = writeYaml(`${HEAD}  - reinvite: { from: caller, codec: G729 }\n  - update: { from: nobody, direction: hold }\n  - update: { from: caller, headers: 1 }\n`);
    const error = await configErrorOf(loadScenarioFile(file, {}));
    expect(summary(error.problems)).toEqual([
      '7 steps[1].reinvite.codec: invalid value "G729"',
      '8 steps[2].update.direction: invalid value "hold"',
      '8 steps[2].update.from: unknown role "nobody"',
      '9 steps[3].update.headers: unknown key "headers"',
    ]);
    expect(error.problems.map((p) => p.hint).slice(0, 2)).toEqual(['use one of: PCMU, PCMA', 'use one of: sendrecv, sendonly, recvonly, inactive']);
  });
});
