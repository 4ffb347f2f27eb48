import { describe, expect, it } from 'vitest';
import type { ConfigProblem } from '../../src/config/config-error.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { loadScenarioFile, loadScenarioFiles } from '../../src/config/load-scenario.js';
import { configErrorOf, summary } from './helpers.js';

const FIXTURES = 'test/config/fixtures';

async function problemsOf(load: Promise<unknown>): Promise<ConfigProblem[]> {
  return (await configErrorOf(load)).problems;
}

describe('a scenario with several mistakes', () => {
  const file = `${FIXTURES}/broken-scenario.yaml`;

  it('reports every one of them, each at its line', async () => {
    const problems = await problemsOf(loadScenarioFile(file, {}));
    expect(summary(problems)).toEqual([
      '1 title: required field is missing',
      '4 behaviour.calee: unknown role "calee"',
      '6 steps[0].call.cancelAfter: invalid duration "2 sec"',
      '7 steps[1].call.from: required field is missing',
      '10 steps[2].hangup: unknown role "nobody"',
      '11 steps[3]: step has more than one action (wait, hangup)',
      '14 expect.call: no call step named "third"',
      '17 expect.legs.caller[2]: invalid flow pattern "407": no direction; put > after (sent) or < before (received)',
      '20 expect.legs.callee[1]: invalid flow pattern "180>>": "180>" is neither a method, a status (180) nor a class (2xx)',
    ]);
    expect(problems.every((problem) => problem.file === file)).toBe(true);
  });

  it('gives hints that say how to fix', async () => {
    const problems = await problemsOf(loadScenarioFile(file, {}));
    const hintAt = (path: string): string | undefined => problems.find((problem) => problem.path === path)?.hint;
    expect(hintAt('behaviour.calee')).toBe('roles defined: caller, callee');
    expect(hintAt('steps[0].call.cancelAfter')).toContain('1.5s');
    expect(hintAt('expect.legs.caller[2]')).toContain('INVITE>');
    expect(hintAt('expect.call')).toContain('call-1, second');
  });

  it('lists every problem in the message, one per line, as file:line: path: message (hint)', async () => {
    const error = await configErrorOf(loadScenarioFile(file, {}));
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[1]).toBe(`${file}:4: behaviour.calee: unknown role "calee" (hint: roles defined: caller, callee)`);
  });
});

describe('a scenario with bad YAML indentation', () => {
  it('reports the syntax error at the over-indented line', async () => {
    const problems = await problemsOf(loadScenarioFile(`${FIXTURES}/bad-indent.yaml`, {}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 5, path: '', message: 'Implicit keys need to be on a single line' });
    expect(problems[0]?.hint).toContain('indented deeper');
  });
});

describe('loading several files', () => {
  it('reports the problems of every file in one error', async () => {
    const problems = await problemsOf(
      loadScenarioFiles([`${FIXTURES}/broken-scenario.yaml`, `${FIXTURES}/bad-indent.yaml`, 'scenarios/lab/reject.yaml'], { env: {} }),
    );
    expect(new Set(problems.map((problem) => problem.file))).toEqual(
      new Set([`${FIXTURES}/broken-scenario.yaml`, `${FIXTURES}/bad-indent.yaml`]),
    );
    expect(problems).toHaveLength(10);
  });
});

describe('a bots file with several mistakes', () => {
  it('reports every one of them, each at its line', async () => {
    const problems = await problemsOf(loadBotsFile(`${FIXTURES}/broken-bots.yaml`, {}));
    expect(summary(problems)).toEqual([
      '2 defaults.transport: invalid value "udq"',
      '4 bots.alice.domain: no domain for this bot',
      '6 bots.alice.password: environment variable ALICE_PASSWORD is not set',
      '7 bots.alice.tone: expected a whole number from 20 to 3999, got 5000',
      '8 bots.bob.password: required field is missing',
      '8 bots.bob.domain: no domain for this bot',
      '10 bots.bob.passwrd: unknown key "passwrd"',
      '11 bots.bob.behaviour.ringFor: invalid duration "soon"',
    ]);
    const envProblem = problems.find((problem) => problem.path === 'bots.alice.password');
    expect(envProblem?.hint).toBe('set it in .env or the environment; see .env.example');
    expect(problems.find((problem) => problem.path === 'defaults.transport')?.hint).toBe('use one of: udp, tcp, tls, ws, wss');
  });
});

describe('a missing file', () => {
  it('is a ConfigError too, without a line', async () => {
    const problems = await problemsOf(loadBotsFile(`${FIXTURES}/no-such-file.yaml`, {}));
    expect(problems).toEqual([
      expect.objectContaining({ file: `${FIXTURES}/no-such-file.yaml`, path: '', message: 'file not found' }),
    ]);
    expect(problems[0]?.line).toBeUndefined();
  });
});
