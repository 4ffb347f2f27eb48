import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/config/load-scenario.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { configErrorOf, summary, writeYaml } from '../config/helpers.js';
import { scenarioFrom, startMediaLab, wire, type MediaLab } from './support/media-bots.js';

/** The To header line of the INVITEs `party` received since `from` (retransmissions left out). */
function receivedInviteTo(lab: MediaLab, party: string, from: number): string[] {
  return wire(lab, party, 'in', from)
    .filter((e) => e.method === 'INVITE')
    .map((e) => /^To:[ \t]*(.*)$/im.exec(e.raw)?.[1]?.trim() ?? '');
}

const head = (id: string) => [`id: ${id}`, `title: ${id}`, 'roles: { caller: alice, callee: bob }', 'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }', 'steps:'];

describe('a To display name on a call, and register/unregister status twins, over real bots and the embedded proxy', () => {
  let lab: MediaLab;
  beforeAll(async () => {
    lab = await startMediaLab(['alice', 'bob']);
  });
  afterAll(async () => {
    await lab.stop();
  });

  const play = async (id: string, lines: string[]) => {
    const from = Date.now();
    const result = await runScenario(await scenarioFrom(id, [...head(id), ...lines]), { bots: lab.bots, events: lab.events, settleMs: 200, stepTimeoutMs: 5000 });
    return { result, from };
  };

  it('toDisplayName: "Bob Smith": bob receives To: "Bob Smith" <sip:bob@…>; the broken twin expects "Robert" and names the value', async () => {
    const lines = (expected: string) => [
      '  - call: { from: caller, to: callee, hangupAfter: 0.2s, toDisplayName: Bob Smith }',
      'expect:',
      '  headers:',
      `    callee: { "<INVITE": { To: "~ ^\\"${expected}\\" <sip:bob@" } }`,
    ];
    const { result, from } = await play('to-name-ok', lines('Bob Smith'));
    expect(result.difference).toBeUndefined();
    const to = receivedInviteTo(lab, 'bob', from);
    expect(to.length).toBeGreaterThan(0);
    for (const line of to) expect(line).toMatch(/^"Bob Smith" <sip:bob@[^>]+>;tag=|^"Bob Smith" <sip:bob@[^>]+>$/);

    const broken = await play('to-name-bad', lines('Robert'));
    expect(broken.result.difference).toMatch(/^expect\.headers: callee \(bob\) <INVITE To: expected to match \/\^"Robert" <sip:bob@\/, it is "\\"Bob Smith\\" <sip:bob@[^"]+"$/);
  });

  it('a call without toDisplayName sends a bare To URI (no display name invented)', async () => {
    const { result, from } = await play('to-name-none', ['  - call: { from: caller, to: callee, hangupAfter: 0.2s }']);
    expect(result.difference).toBeUndefined();
    const to = receivedInviteTo(lab, 'bob', from);
    expect(to.length).toBeGreaterThan(0);
    for (const line of to) expect(line).toMatch(/^<sip:bob@/);
  });

  it('register with the right password: 200 passes; the broken twin expects 401 and names the 200', async () => {
    const { result } = await play('register-ok', ['  - register: { role: callee }']);
    expect(result.difference).toBeUndefined();
    const broken = await play('register-twin', ['  - register: { role: callee, status: 401 }']);
    expect(broken.result.difference).toBe('register of callee (bob): expected 401, got 200 OK');
  });

  it('unregister: 200 passes; the broken twin expects 403 and names the 200; bob is registered again after each case', async () => {
    const { result } = await play('unregister-ok', ['  - unregister: { role: callee }']);
    expect(result.difference).toBeUndefined();
    const broken = await play('unregister-twin', ['  - unregister: { role: callee, status: [401, 403] }']);
    expect(broken.result.difference).toBe('unregister of callee (bob): expected 401 or 403, got 200 OK');
    const { result: after } = await play('after-unregister', ['  - call: { from: caller, to: callee, hangupAfter: 0.2s }']);
    expect(after.difference).toBeUndefined();
  });

  it('the schema refuses a display name it would have to escape, naming line and path', async () => {
    const file = writeYaml('id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob }\nsteps:\n  - call: { from: caller, to: callee, toDisplayName: "Bob \\"B\\"" }\n');
    const error = await configErrorOf(loadScenarioFile(file, {}));
    expect(summary(error.problems)).toEqual(['5 steps[0].call.toDisplayName: a display name cannot hold a double quote, a backslash or a line break (write it plain: toDisplayName: Bob Smith)']);
    const ok = await loadScenarioFile(writeYaml('id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob }\nsteps:\n  - call: { from: caller, to: callee, toDisplayName: Bob }\n'), {});
    expect(ok.steps[0]).toMatchObject({ kind: 'call', toDisplayName: 'Bob' });
  });
});
