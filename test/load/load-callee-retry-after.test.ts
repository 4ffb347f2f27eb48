import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { freeLoopbackPort, waitForUdpBound } from '../interop/support/ports.js';
import { captureRetries } from '../interop/support/retry-after-wire.js';
import { sippScenario, startSipp, type SippProcess } from '../interop/support/sipp.js';
import { runCli } from '../support/run-cli.js';

/**
 * SIPp as the load's registrar (and the answering end of its calls): each callee binding is
 * granted 2 s, and its first refresh (at about 1 s) is refused with 503 Service Unavailable and
 * Retry-After: 2 (RFC 3261 §21.5.4). The callee's usual retry would come after 1 s; it must
 * come 2 s later, as the registrar asked, and the results must say so. The times are the
 * wire's: tcpdump's capture read by tshark, from the 503 leaving SIPp to the next REGISTER.
 */
const RETRY_AFTER_MS = 2000;

let sipp: SippProcess | undefined;
let workDir: string | undefined;
afterEach(async () => {
  await sipp?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('sipbots load: a callee refresh refused with 503 and Retry-After: 2 (SIPp as the registrar)', () => {
  it('the next REGISTER of each callee reaches SIPp 2 s after the 503, not at the usual 1 s; counted and reported', async () => {
    workDir = await mkdtemp(join(tmpdir(), 'sipbots-load-retry-after-'));
    const port = await freeLoopbackPort();
    sipp = await startSipp(['-sf', sippScenario('registrar-retry-after-refresh'), '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freeLoopbackPort()), '-trace_logs'], { timeoutMs: 30_000, workDir });
    await waitForUdpBound(port);
    const wire = await captureRetries(port, workDir);
    const json = join(workDir, 'result.json');
    const { code, stdout, stderr } = await runCli(
      ['load', '--proxy', `127.0.0.1:${port}`, '--accounts', 'u{1..2}@lab.test', '--register-expires', '2', '--rate', '2', '--calls', '9', '--hold', '0.2', '--timeout', '4', '--json', json],
      { env: { PATH: process.env.PATH, SIPBOTS_PASSWORD: 'unused' } },
    );
    const retries = await wire.stop();
    const { logs, errors } = await sipp.stop();
    sipp = undefined;
    expect(stderr).toBe('');

    // SIPp's log: each callee's REGISTERs went initial (200), refresh (503), refresh-again (200), then later ones.
    const received = [...logs.matchAll(/^REGISTER (\S+) (\S+) at \d+ ms$/gm)].map((m) => ({ which: m[1]!, callId: m[2]! }));
    const callIds = [...new Set(received.map((r) => r.callId))];
    expect(callIds, errors).toHaveLength(2);
    for (const callId of callIds) expect(received.filter((r) => r.callId === callId).map((r) => r.which).slice(0, 3), callId).toEqual(['initial', 'refresh', 'refresh-again']);
    // On the wire: one 503 Retry-After: 2 per callee, and the next REGISTER 2 s after it, not sooner.
    expect(retries.map((r) => [r.callId, r.status, r.retryAfter]).sort()).toEqual(callIds.map((id) => [id, 503, '2']).sort());
    for (const { callId, gapMs } of retries) {
      expect(gapMs, callId).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
      // As asked, not at the binding's end or later: give or take a busy machine.
      expect(gapMs, callId).toBeLessThan(RETRY_AFTER_MS + 1500);
      console.info(`[load] callee ${callId}: its REGISTER followed the 503 Retry-After: 2 by ${gapMs.toFixed(1)} ms on the wire`);
    }

    const result = JSON.parse(await readFile(json, 'utf8')) as LoadResult;
    expect(result.counters).toMatchObject({ calleeRetryAfter: 2, calleeRefreshFailures: { 'REGISTER 503': 2 }, attempted: 9, succeeded: 9 });
    expect(stdout).toMatch(/callees +registrations refreshed \d+ +refreshes failed 2 +REGISTER 503: 2 +Retry-After 2 \(the registrar asked to wait/);
    expect(code).toBe(0);
  }, 30_000);
});
