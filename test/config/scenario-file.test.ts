import { describe, expect, it } from 'vitest';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { loadScenarioFile, loadScenarioFiles } from '../../src/config/load-scenario.js';
import { configErrorOf, summary, writeYaml } from './helpers.js';

const HEAD = 'id: sample\ntitle: Sample\nroles: { caller: alice, callee: bob }\n';

async function messages(load: Promise<unknown>): Promise<string[]> {
  return summary((await configErrorOf(load)).problems);
}

describe('loadScenarioFile', () => {
  it('names unnamed calls call-1, call-2 and compares the last call by default', async () => {
    const file = writeYaml(`${HEAD}steps:\n  - call: { from: caller, to: callee }\n  - wait: 1.5s\n  - call: { from: callee, to: caller }\n`);
    const scenario = await loadScenarioFile(file, {});
    expect(scenario.steps.map((step) => (step.kind === 'call' ? step.name : step.kind))).toEqual(['call-1', 'wait', 'call-2']);
    expect(scenario.steps[1]).toEqual({ kind: 'wait', ms: 1500 });
    expect(scenario.expect).toEqual({ call: 'call-2', legs: {}, media: {} });
    expect(scenario.behaviour).toEqual({});
    expect(scenario.proxy).toEqual({});
  });

  it('takes a title and description per language, English required, plain text still valid', async () => {
    const both = writeYaml('id: two\ntitle: { en: Nobody answers, zh: 无人接听 }\ndescription:\n  en: Bob rings.\n  zh: Bob 振铃。\nroles: { caller: a, callee: b }\nsteps:\n  - wait: 1s\n');
    expect(await loadScenarioFile(both, {})).toMatchObject({ title: 'Nobody answers', description: 'Bob rings.', translations: { zh: { title: '无人接听', description: 'Bob 振铃。' } } });
    const plain = await loadScenarioFile(writeYaml(`${HEAD}description: Just text\nsteps:\n  - wait: 1s\n`), {});
    expect(plain).toMatchObject({ title: 'Sample', description: 'Just text' });
    expect(plain.translations).toBeUndefined();
    const zhOnly = writeYaml('id: zh-only\ntitle: { zh: 无人接听 }\nroles: { caller: a, callee: b }\nsteps:\n  - wait: 1s\n');
    expect((await messages(loadScenarioFile(zhOnly, {}))).join('\n')).toContain('2 title');
  });

  it('calls a sip: URI as well as a role', async () => {
    const file = writeYaml(`${HEAD}steps:\n  - call: { from: caller, to: "sip:echo@\${ECHO_HOST:-127.0.0.1}" }\n`);
    const scenario = await loadScenarioFile(file, {});
    expect(scenario.steps[0]).toMatchObject({ to: { kind: 'uri', uri: 'sip:echo@127.0.0.1' } });
  });

  it('allows extra roles beyond caller and callee', async () => {
    const file = writeYaml('id: three\ntitle: T\nroles: { caller: a, callee: b, other: c }\nsteps:\n  - hangup: other\n');
    expect((await loadScenarioFile(file, {})).roles).toEqual({ caller: 'a', callee: 'b', other: 'c' });
  });

  it('requires caller and callee roles, a kebab-case id and at least one step', async () => {
    const file = writeYaml('id: Not_Kebab\ntitle: T\nroles: { caller: a }\nsteps: []\n');
    expect(await messages(loadScenarioFile(file, {}))).toEqual([
      '1 id: expected a kebab-case id such as no-answer',
      '3 roles.callee: required field is missing',
      '4 steps: no steps',
    ]);
  });

  it('rejects a step with no action and waitFor outside a call step', async () => {
    const file = writeYaml(`${HEAD}steps:\n  - waitFor: confirmed\n  - wait: 1s\n    waitFor: ringing\n`);
    expect(await messages(loadScenarioFile(file, {}))).toEqual([
      '5 steps[0]: step has no action (one of call, wait, hangup, dtmf, hold, unhold, await, message, options, info, register, unregister, transfer, subscribe, reinvite, update)',
      '5 steps[0].waitFor: waitFor applies only to a call step',
      '7 steps[1].waitFor: waitFor applies only to a call step',
    ]);
  });

  it('rejects duplicate call names and unknown keys', async () => {
    const file = writeYaml(
      `${HEAD}steps:\n  - call: { from: caller, to: callee, name: x }\n  - call: { from: caller, to: callee, name: x, cancelafter: 1s }\n`,
    );
    expect(await messages(loadScenarioFile(file, {}))).toEqual([
      '6 steps[1].call.cancelafter: unknown key "cancelafter"',
      '6 steps[1].call.name: duplicate call name "x"',
    ]);
  });

  it('checks roles against the bots file when given one', async () => {
    const bots = await loadBotsFile('bots/lab.yaml', {});
    const file = writeYaml('id: s\ntitle: T\nroles:\n  caller: alice\n  callee: dave\nsteps:\n  - wait: 1s\n');
    const error = await configErrorOf(loadScenarioFile(file, {}, { bots }));
    expect(error.problems).toEqual([
      {
        file,
        line: 5,
        path: 'roles.callee',
        message: 'unknown bot "dave"',
        hint: 'bots in bots/lab.yaml: alice, bob, carol',
        zh: { message: '未知的机器人 "dave"', hint: 'bots/lab.yaml 中的机器人：alice, bob, carol' },
      },
    ]);
  });

  it('reads expected outcome and status, and rejects unknown ones', async () => {
    const file = writeYaml(`${HEAD}steps:\n  - call: { from: caller, to: callee }\nexpect: { outcome: busy, status: 99 }\n`);
    expect(await messages(loadScenarioFile(file, {}))).toEqual([
      '6 expect.outcome: invalid value "busy"',
      '6 expect.status: expected a whole number from 100 to 699, got 99',
    ]);
  });
});

describe('loadScenarioFiles', () => {
  it('rejects two files with the same id', async () => {
    const body = `${HEAD}steps:\n  - wait: 1s\n`;
    const [first, second] = [writeYaml(body), writeYaml(body)];
    await expect(loadScenarioFiles([first, second], { env: {} })).rejects.toThrow(`id "sample" is also used by ${first}`);
  });
});

describe('expect.media', () => {
  it('reads what each role must hear, a role name or a frequency, and rejects an unknown role', async () => {
    const { loadScenarioFile } = await import('../../src/config/load-scenario.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, ['id: talk', 'title: t', 'roles: { caller: alice, callee: bob }', 'steps:', '  - call: { from: caller, to: callee }', 'expect:', '  media:', '    caller: { hears: callee, maxLoss: 1% }', '    callee: { hears: 440, minPackets: 10 }', ''].join('\n'));
    const scenario = await loadScenarioFile(good, {});
    expect(scenario.expect.media).toEqual({ caller: { hears: 'callee', maxLoss: 0.01 }, callee: { hears: 440, minPackets: 10 } });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ['id: talk', 'title: t', 'roles: { caller: alice, callee: bob }', 'steps:', '  - call: { from: caller, to: callee }', 'expect:', '  media:', '    caller: { hears: nobody }', ''].join('\n'));
    await expect(loadScenarioFile(bad, {})).rejects.toThrow(/bad\.yaml:8: expect\.media\.caller\.hears: unknown role "nobody"/);
  });
});
