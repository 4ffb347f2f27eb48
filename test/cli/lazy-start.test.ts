import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/sipbots.js', import.meta.url));
const hooks = fileURLToPath(new URL('../support/module-log-hooks.mjs', import.meta.url));

/** Runs the built CLI and returns the npm packages whose modules it loaded. */
async function packagesLoadedBy(args: string[]): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), 'sipbots-modules-'));
  const log = join(dir, 'modules.txt');
  await promisify(execFile)(process.execPath, ['--import', hooks, bin, ...args], { cwd: dir, env: { ...process.env, SIPBOTS_MODULE_LOG: log } });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
}

describe('sipbots loads the modules of the command it runs, and only those', () => {
  it('--version and --help load commander and nothing heavier', async () => {
    for (const args of [['--version'], ['--help']]) {
      expect([...(await packagesLoadedBy(args))]).toEqual(['commander']);
    }
  });

  it('a load run loads neither werift nor sip.js', async () => {
    const loaded = await packagesLoadedBy(['load', '--embedded-proxy', '--accounts', 'u{001..004}@lab.test', '--password', 'x', '--calls', '4', '--rate', '20', '--hold', '0.05']);
    expect(loaded).toContain('hdr-histogram-js'); // the load engine itself did load
    expect(loaded).not.toContain('werift');
    expect(loaded).not.toContain('sip.js');
  }, 60_000);

  it('a lab run does load sip.js (the check above can see it)', async () => {
    const loaded = await packagesLoadedBy(['lab', '--only', 'reject', '--media', 'none']);
    expect(loaded).toContain('sip.js');
  }, 60_000);
});
