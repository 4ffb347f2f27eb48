import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

// The package as a user gets it: packed, installed from the tarball into an empty prefix with
// install scripts disabled, and run from a directory that has nothing of the project in it.
// The sip.js it runs is the patched copy bundled in the tarball (bundleDependencies): without
// the patches busy-self is refused with 482 and no call is ever answered.

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
// Outside `npm test` too: npm's own npm_config_* variables (prefix, global...) must not leak in.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));

describe('sipbots installed from its tarball, run from an empty directory', () => {
  const work = mkdtempSync(join(tmpdir(), 'sipbots-install-'));
  const prefix = join(work, 'prefix');
  const cwd = join(work, 'elsewhere');
  const sipbots = (args: string[]) => run(join(prefix, 'bin', 'sipbots'), args, { cwd, env });

  beforeAll(async () => {
    mkdirSync(cwd);
    // dist/ is the build `npm ci` (prepare) made; --ignore-scripts keeps pack from rebuilding it.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, env });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!;
    await run('npm', ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], { cwd: work, env });
  }, 300_000);

  it('runs lab cases with the bots and scenarios of the package; the run folder is made here', async () => {
    const { stdout } = await sipbots(['lab', '--only', 'reject,busy-self,answer-bye-caller']);
    expect(stdout).toMatch(/3\/3 cases passed/);
    expect(existsSync(join(cwd, 'runs'))).toBe(true);
  }, 120_000);

  it('runs 100 load calls on the embedded proxy without a failure', async () => {
    await sipbots(['load', '--embedded-proxy', '--accounts', 'u{001..020}@lab.test', '--password', 'secret', '--calls', '100', '--rate', '100', '--hold', '0.2', '--json', 'load.json']);
    const { counters } = JSON.parse(readFileSync(join(cwd, 'load.json'), 'utf8')) as { counters: { attempted: number; succeeded: number; failed: number } };
    expect(counters).toMatchObject({ attempted: 100, succeeded: 100, failed: 0 });
  }, 120_000);

  it('takes a bots file the user names relative to the working directory', async () => {
    copyFileSync(join(root, 'bots', 'lab.yaml'), join(cwd, 'my-bots.yaml'));
    const { stdout } = await sipbots(['lab', '--print-config', '--bots', 'my-bots.yaml']);
    expect(JSON.parse(stdout).file).toBe('my-bots.yaml');
    await expect(sipbots(['lab', '--print-config', '--bots', 'missing.yaml'])).rejects.toMatchObject({ code: 2 });
  }, 60_000);
});
