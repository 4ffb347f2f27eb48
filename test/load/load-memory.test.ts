import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { startStalledRegistrar } from './support/stalled-registrar.js';

/**
 * Memory follows concurrency, not the length of a run (issue 17): a finished request keeps
 * nothing reachable. The load runs in a child process whose V8 old space is capped at
 * HEAP_MB, against the embedded proxy in this process (so only the load's own heap counts).
 * --timeout 600 makes a leak show: a request whose timer entries stayed reachable until they
 * fell due (as they did while the timing wheel cancelled lazily, issue 17) keeps its request
 * and transaction for the whole run, and that code dies of heap exhaustion (exit 134) about
 * 25 s into this run; the engine needs ~15 MB whatever the number of requests. Concurrency is
 * capped at 200, so what the requests under way hold stays small however slowly the proxy
 * answers on a busy machine.
 */
const HEAP_MB = 20;
const SIPBOTS = fileURLToPath(new URL('../../bin/sipbots.js', import.meta.url));
const REQUESTS = 10_000;
const accounts = expandAccountPattern('u{0001..0040}@lab.test', 'load-secret');
let server: EmbeddedServer;

beforeAll(async () => {
  server = await startEmbeddedServer({ transports: ['udp'], users: new Map(accounts.map((a) => [a.user, a.password])), domain: 'lab.test', events: new EventStream() });
});

afterAll(() => server.stop());

function runLoad(args: string[], heapMb = HEAP_MB): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, SIPBOTS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('load memory', () => {
  it(`${REQUESTS} OPTIONS with a 600 s --timeout complete under --max-old-space-size=${HEAP_MB}`, { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sipbots-load-memory-'));
    const json = join(dir, 'result.json');
    const proxy = server.endpoints.get('udp')!;
    const run = await runLoad([
      'load',
      '--proxy',
      `${proxy.address}:${proxy.port}`,
      '--scenario',
      'options',
      '--accounts',
      'u{0001..0040}@lab.test',
      '--password',
      'load-secret',
      '--rate',
      '1000',
      '--calls',
      String(REQUESTS),
      '--concurrency',
      '200',
      '--timeout',
      '600',
      '--json',
      json,
    ]);
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    const result = JSON.parse(await readFile(json, 'utf8')) as LoadResult;
    expect(result.counters).toMatchObject({ attempted: REQUESTS, succeeded: REQUESTS, failed: 0 });
  });

  /**
   * A REGISTER has no hold, so the default cap is 3 s of arrivals (like SIPp's -l), not the
   * calls' rate x (hold + 8 s): a registrar that stalls for 8 s at 2,000 REGISTERs/s then holds
   * 6,000 of them instead of all 16,000 (each with its rendered request), and the load fits in
   * 32 MB of old space. With the calls' cap (18,000) it died of heap exhaustion ~7 s in.
   */
  it('16,000 REGISTERs at 2,000/s to a registrar that stalls 8 s complete with the default options under --max-old-space-size=32', { timeout: 120_000 }, async () => {
    const registrar = await startStalledRegistrar(8000);
    try {
      const dir = await mkdtemp(join(tmpdir(), 'sipbots-load-memory-'));
      const json = join(dir, 'result.json');
      const args = ['load', '--proxy', `127.0.0.1:${registrar.port}`, '--scenario', 'register', '--accounts', 'u{0001..0200}@lab.test', '--password', 'x', '--rate', '2000', '--calls', '16000', '--json', json];
      const run = await runLoad(args, 32);
      expect(run.stderr).not.toMatch(/heap out of memory/);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
      const result = JSON.parse(await readFile(json, 'utf8')) as LoadResult;
      expect(result.settings.concurrency).toBe(6000);
      expect(result.counters).toMatchObject({ attempted: 16_000, succeeded: 16_000, failed: 0 });
      expect(result.counters.delayed).toBeGreaterThan(0);
    } finally {
      await registrar.close();
    }
  });
});
