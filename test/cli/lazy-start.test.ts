import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';

const bin = fileURLToPath(new URL('../../bin/sipbots.js', import.meta.url));
const hooks = fileURLToPath(new URL('../support/module-log-hooks.mjs', import.meta.url));
const rejectScenario = fileURLToPath(new URL('../../scenarios/lab/reject.yaml', import.meta.url));

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

/**
 * What `sipbots load` loads is memory it holds for the whole run (issue 17: its RSS is compared
 * with SIPp's): each optional output or transport brings its package only when asked for.
 */
describe('sipbots load loads an optional feature\'s packages only when it is asked for', () => {
  let server: EmbeddedServer;
  const users = new Map(['u001', 'u002', 'u003', 'u004'].map((user) => [user, 'x']));
  const load = (transport: 'udp' | 'ws', ...more: string[]) => {
    const { address, port } = server.endpoints.get(transport)!;
    return ['load', '--proxy', `${address}:${port}`, '--accounts', 'u{001..004}@lab.test', '--password', 'x', '--calls', '4', '--rate', '20', '--hold', '0.05', ...more];
  };
  beforeAll(async () => {
    server = await startEmbeddedServer({ transports: ['udp', 'ws'], users, domain: 'lab.test', events: new EventStream() });
  });
  afterAll(() => server.stop());

  it('a UDP load of OPTIONS loads commander and hdr-histogram-js, nothing else (no pino, zod, yaml, ws, prom-client)', async () => {
    expect([...(await packagesLoadedBy(load('udp', '--scenario', 'options')))].sort()).toEqual(['commander', 'hdr-histogram-js']);
  }, 60_000);

  it('--metrics-port loads prom-client and --transport ws loads ws', async () => {
    const loaded = await packagesLoadedBy(load('ws', '--scenario', 'options', '--transport', 'ws', '--metrics-port', '0'));
    expect(loaded).toContain('prom-client');
    expect(loaded).toContain('ws');
  }, 60_000);

  it('a scenario file loads yaml and zod', async () => {
    const loaded = await packagesLoadedBy(load('udp', '--scenario', rejectScenario));
    expect(loaded).toContain('yaml');
    expect(loaded).toContain('zod');
  }, 60_000);
});
