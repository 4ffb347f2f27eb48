import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, ROOT, spawnCli } from './support/spawn-cli.js';

/** Passwords come from the environment and must not appear in any output, at any log level. */
const PASSWORDS = { ALICE_PASSWORD: 'Al1ce-S3cret-xq7', BOB_PASSWORD: 'B0b-S3cret-zz9', CAROL_PASSWORD: 'Car0l-S3cret-wv4' };

beforeAll(() => buildCli(), 120_000);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('secrets', () => {
  it('never writes a password to the run folder, stdout or stderr, even at --log-level trace', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sipbots-secrets-')), 'run');
    const cli = spawnCli(['lab', '--out', dir, '--log-level', 'trace', '--media', 'none', '--only', 'reject,answer-bye-caller'], { env: PASSWORDS });
    const { code } = await cli.exit;
    expect(code, cli.stderr().slice(-2000)).toBe(0);
    // The trace log really is on: sip.js and our layers logged the messages.
    expect(cli.stderr().length).toBeGreaterThan(10_000);
    const files = filesUnder(dir);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(expect.arrayContaining(['messages.jsonl', 'signaling.pcapng', 'summary.json', 'report.html', 'report.md', 'junit.xml']));
    for (const [name, password] of Object.entries(PASSWORDS)) {
      for (const file of files) expect(readFileSync(file).includes(Buffer.from(password)), `${name} in ${file}`).toBe(false);
      expect(cli.stdout().includes(password), `${name} on stdout`).toBe(false);
      expect(cli.stderr().includes(password), `${name} on stderr`).toBe(false);
    }
  }, 90_000);

  it('does not leak the password in the error of a failed registration', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sipbots-secrets-')), 'run');
    // Nobody answers there: the REGISTERs (and their retransmissions) are logged at trace and
    // the run ends with an error, and neither may carry a password.
    const cli = spawnCli(['lab', '--out', dir, '--log-level', 'trace', '--media', 'none', '--server', 'sip:127.0.0.1:9;transport=udp', '--register-timeout', '1'], { env: PASSWORDS });
    const { code } = await cli.exit;
    expect(code).toBe(3);
    for (const password of Object.values(PASSWORDS)) {
      expect(cli.stderr().includes(password)).toBe(false);
      for (const file of filesUnder(dir)) expect(readFileSync(file).includes(Buffer.from(password)), file).toBe(false);
    }
  }, 60_000);
});

describe('run folders', () => {
  it('two runs in a row make two folders; an --out that holds a run is refused', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sipbots-runs-'));
    const args = ['lab', '--media', 'none', '--only', 'busy-self', '--bots', resolve(ROOT, 'bots/lab.yaml'), '--scenarios', resolve(ROOT, 'scenarios/lab')];
    for (let i = 0; i < 2; i++) {
      const { code } = await spawnCli(args, { cwd }).exit;
      expect(code).toBe(0);
    }
    const runs = readdirSync(join(cwd, 'runs'));
    expect(runs).toHaveLength(2);
    for (const run of runs) expect(existsSync(join(cwd, 'runs', run, 'summary.json'))).toBe(true);

    const again = spawnCli([...args, '--out', join(cwd, 'runs', runs[0]!)], { cwd });
    // Refused before anything is sent (exit 1 today: run-folder.ts throws a plain Error, not a usage error).
    expect((await again.exit).code).not.toBe(0);
    expect(again.stderr()).toMatch(/already holds a run/);
  }, 60_000);
});

describe('--print-config', () => {
  it('shows the bots with every password masked', async () => {
    const { runCli } = await import('../support/run-cli.js');
    const result = await runCli(['lab', '--print-config'], { env: { PATH: process.env.PATH, ...PASSWORDS } });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { bots: Record<string, { user: string; password: string }> };
    expect(Object.keys(printed.bots)).toEqual(['alice', 'bob', 'carol']);
    for (const bot of Object.values(printed.bots)) expect(bot.password).toMatch(/^\*+$/);
    for (const password of Object.values(PASSWORDS)) expect(result.stdout + result.stderr).not.toContain(password);
  });
});
