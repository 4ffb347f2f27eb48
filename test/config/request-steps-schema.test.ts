import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { configErrorOf, summary, writeYaml } from './helpers.js';

const HEAD = 'id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob }\nsteps:\n';

describe('scenario request steps and header checks: message, options, info, register, unregister, headers, expect.headers', () => {
  it('reads each step with its headers and defaults, and expect.headers into one check per header', async () => {
    const file = writeYaml(
      `${HEAD}  - message: { from: caller, to: callee, body: hi }\n    headers: { X-Run-Id: "42" }\n  - options: { from: caller, to: "sip:pbx@lab.test", status: 404 }\n` +
        '  - register: { role: callee, password: wrong, status: [401, 403] }\n  - unregister: { role: callee }\n  - info: { from: caller, digits: "1a" }\n' +
        'expect:\n  headers:\n    callee:\n      "<MESSAGE": { X-Run-Id: "= 42", X-Other: absent }\n      "<200/INVITE": { P-Asserted-Identity: "~ ^<sip:\\\\+49" }\n',
    );
    const scenario = await loadScenarioFile(file, {});
    expect(scenario.steps).toEqual([
      { kind: 'message', from: 'caller', to: 'callee', body: 'hi', contentType: 'text/plain', headers: { 'X-Run-Id': '42' } },
      { kind: 'options', from: 'caller', to: 'sip:pbx@lab.test', status: [404] },
      { kind: 'register', role: 'callee', register: true, password: 'wrong', status: [401, 403] },
      { kind: 'register', role: 'callee', register: false },
      { kind: 'info', role: 'caller', digits: '1A' },
    ]);
    expect(scenario.expect.headers).toEqual([
      { role: 'callee', message: '<MESSAGE', method: 'MESSAGE', header: 'X-Run-Id', check: { kind: 'equals', text: '42' } },
      { role: 'callee', message: '<MESSAGE', method: 'MESSAGE', header: 'X-Other', check: { kind: 'absent' } },
      { role: 'callee', message: '<200/INVITE', status: 200, method: 'INVITE', header: 'P-Asserted-Identity', check: { kind: 'matches', pattern: '^<sip:\\+49' } },
    ]);
  });

  it('names file, line and path of every problem at once, with a hint', async () => {
    const file = writeYaml(
      `${HEAD}  - message: { from: nobody, to: ghost, body: hi, status: "abc" }\n  - wait: 1s\n    headers: { X-A: b }\n  - options: { from: caller, to: callee }\n    headers: { Via: "SIP/2.0/UDP x", "bad name": y }\n` +
        '  - register: { role: someone }\n  - info: { from: caller }\n' +
        'expect:\n  headers:\n    stranger:\n      "INVITE": { X-A: present }\n      "<INVITE": { X-B: "~ ([" }\n',
    );
    const error = await configErrorOf(loadScenarioFile(file, {}));
    expect(summary(error.problems)).toEqual([
      '5 steps[0].message.status: expected a SIP status code or a list of them, got "abc"',
      '5 steps[0].message.from: unknown role "nobody"',
      '5 steps[0].message.to: unknown role "ghost"',
      '7 steps[1].headers: headers do not apply to a wait step',
      '9 steps[2].headers.Via: Via is built by the user agent and cannot be set; set extension headers (X-…, P-Asserted-Identity, Subject, …), or put a different user in the call\'s to: URI',
      '9 steps[2].headers.bad name: expected a header name such as X-Run-Id or P-Asserted-Identity',
      '10 steps[3].register.role: unknown role "someone"',
      '11 steps[4].info.digits: required field is missing',
      '14 expect.headers.stranger: unknown role "stranger"',
      '15 expect.headers.stranger.INVITE: expected a received message such as "<INVITE", "<MESSAGE", "<180" or "<200/INVITE"',
      '16 expect.headers.stranger.<INVITE.X-B: invalid regular expression "([": Invalid regular expression: /([/: Unterminated character class',
    ]);
    expect(error.message).toContain(`${file}:5`);
  });
});
