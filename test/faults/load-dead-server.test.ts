import dgram from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { capturedSip, expectPcapngMatchesJsonl, readSummary } from '../load/support/capture-folder.js';
import { buildCli, spawnCli, waitFor, type SpawnedCli } from '../security/support/spawn-cli.js';
import { runCli } from '../support/run-cli.js';

/**
 * `sipbots load` against a server that dies mid-run or never answers: the run ends by itself
 * with exit 3 and a sentence saying what was seen, long before --duration, and keeps on record
 * every message exchanged before the fault.
 */
const PASSWORD = 'load-secret';
const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: PASSWORD };
const accounts = ['--accounts', 'u{0001..0020}@lab.test'];

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sipbots-${prefix}-`));
}

/** A UDP socket on loopback that reads everything and answers nothing. */
async function silentServer() {
  const socket = dgram.createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, received: () => received, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('sipbots load against a server killed mid-run', () => {
  beforeAll(() => buildCli(), 120_000);

  it('ends by itself with exit 3 and what it saw, keeps every message exchanged before the kill, and says so in summary and JUnit', async () => {
    const dir = tempDir('load-dead');
    const users = join(dir, 'users.txt');
    writeFileSync(users, Array.from({ length: 20 }, (_, i) => `u${String(i + 1).padStart(4, '0')}=${PASSWORD}`).join('\n') + '\n');
    // The proxy is its own process, so that it can die the hard way (SIGKILL: no goodbye).
    const proxy: SpawnedCli = spawnCli(['proxy', '--users', users, '--transport', 'udp']);
    cleanups.push(() => void proxy.child.kill('SIGKILL'));
    expect(await waitFor(() => /listening udp 127\.0\.0\.1:\d+/.test(proxy.stdout()), 15_000)).toBe(true);
    const port = /listening udp 127\.0\.0\.1:(\d+)/.exec(proxy.stdout())![1];
    const run = join(dir, 'run');
    const load = spawnCli(['load', '--proxy', `127.0.0.1:${port}`, ...accounts, '--rate', '20', '--duration', '120', '--hold', '1', '--timeout', '6', '--capture', run], { env });
    cleanups.push(() => void load.child.kill('SIGKILL'));
    expect(await waitFor(() => /^ +2s /m.test(load.stdout()), 15_000)).toBe(true);
    const killedAt = Date.now();
    proxy.child.kill('SIGKILL');
    const { code, at } = await load.exit;
    const exitS = (at - killedAt) / 1000;
    expect(code).toBe(3);
    // Within the RFC timers: refused sends for 4·T1, or at worst one --timeout (Timer B/F) of silence; never --duration
    // (120 s). The margin is for a starved machine: 9.3 s was seen with a load average of 19.
    expect(exitS).toBeLessThan(6 + 15);
    expect(load.stderr()).toMatch(new RegExp(`sipbots load: server 127\\.0\\.0\\.1:${port} stopped answering: nothing received for \\d+\\.\\d s`));

    const summary = readSummary<LoadResult>(run);
    expect(summary.passed).toBe(false);
    expect(summary.serverStopped).toMatchObject({ server: `127.0.0.1:${port}`, neverAnswered: false });
    const c = summary.counters;
    expect(c.attempted).toBe(c.succeeded + c.failed);
    expect(c.succeeded).toBeGreaterThan(0);
    expect(c.failures['server stopped answering']).toBeGreaterThan(0);
    expect(readFileSync(join(run, 'junit.xml'), 'utf8')).toContain('type="ServerStopped"');

    // Before the kill: every call that succeeded has its whole exchange on record, in both files.
    const sip = await capturedSip(run);
    const byeOk = sip.filter((e) => e.party === 'caller-0' && e.direction === 'in' && e.status === 200 && e.cseq?.endsWith('BYE'));
    expect(byeOk.length).toBe(c.succeeded);
    for (const { callId } of byeOk) {
      const tokens = sip.filter((e) => e.callId === callId && e.party === 'caller-0').map((e) => e.method ?? String(e.status));
      expect(tokens).toEqual(expect.arrayContaining(['INVITE', '407', 'ACK', '180', '200', 'BYE']));
    }
    expect(sip.filter((e) => e.at < killedAt).length).toBeGreaterThan(100);
    const count = expectPcapngMatchesJsonl(run, sip);
    const notes = readFileSync(join(run, 'messages.jsonl'), 'utf8');
    expect(notes).toContain('stopped answering');
    console.info(`[faults] load, server killed: exit ${code} after ${exitS.toFixed(1)} s (${summary.serverStopped!.rule}); ${c.succeeded} calls done before, ${c.failed} failed; ${count} SIP messages kept`);
  }, 90_000);
});

describe('sipbots load against a server that never answers', () => {
  it('callees cannot register: exit 3 after one --timeout, "never answered", the retransmitted REGISTERs on record', async () => {
    const server = await silentServer();
    cleanups.push(server.close);
    const run = join(tempDir('load-silent'), 'run');
    const started = Date.now();
    const { code, stderr } = await runCli(['load', '--proxy', `127.0.0.1:${server.port}`, ...accounts, '--rate', '20', '--duration', '120', '--timeout', '3', '--capture', run], { env });
    const elapsedS = (Date.now() - started) / 1000;
    expect(code).toBe(3);
    // One --timeout (3 s), never --duration (120 s); the margin is for a starved machine.
    expect(elapsedS).toBeLessThan(3 + 15);
    expect(stderr).toMatch(new RegExp(`callee registration: server 127\\.0\\.0\\.1:${server.port} never answered: nothing received for 3\\.\\d s, 20 transactions timed out`));
    // Timer E: each REGISTER went at 0, 0.5 and 1.5 s (and 2.5 s) before Timer F.
    const registers = (await capturedSip(run)).filter((e) => e.method === 'REGISTER');
    expect(registers.length).toBeGreaterThanOrEqual(20 * 3);
    expect(server.received()).toBe(registers.length);
    expect(readSummary(run)).toMatchObject({ passed: false, exitCode: 3, error: { type: 'LoadSetupError' } });
    expect(readFileSync(join(run, 'junit.xml'), 'utf8')).toContain('never answered');
    console.info(`[faults] load, server never answering (registration): exit ${code} after ${elapsedS.toFixed(1)} s; ${registers.length} REGISTERs on record`);
  });

  it('calls to --callee-uri (no registration): the arrivals stop after one --timeout, not at --duration', async () => {
    const server = await silentServer();
    cleanups.push(server.close);
    const run = join(tempDir('load-silent'), 'run');
    const started = Date.now();
    const { code, stderr } = await runCli(
      ['load', '--proxy', `127.0.0.1:${server.port}`, ...accounts, '--callee-uri', 'sip:uas@lab.test', '--rate', '20', '--duration', '120', '--timeout', '3', '--capture', run],
      { env },
    );
    const elapsedS = (Date.now() - started) / 1000;
    expect(code).toBe(3);
    // One --timeout (3 s), never --duration (120 s); the margin is for a starved machine.
    expect(elapsedS).toBeLessThan(3 + 15);
    expect(stderr).toMatch(/server 127\.0\.0\.1:\d+ never answered: nothing received for 3\.\d s, \d+ transactions timed out, \d+ calls or requests were waiting/);
    const summary = readSummary<LoadResult>(run);
    const c = summary.counters;
    expect(summary.serverStopped).toMatchObject({ rule: 'timeout', neverAnswered: true });
    expect(c.succeeded).toBe(0);
    expect(c.attempted).toBe(c.failed);
    expect(c.attempted).toBeLessThan(20 * 6);
    const invites = (await capturedSip(run)).filter((e) => e.method === 'INVITE');
    expect(new Set(invites.map((e) => e.callId)).size).toBe(c.attempted);
    console.info(`[faults] load, server never answering (calls): exit ${code} after ${elapsedS.toFixed(1)} s; ${c.attempted} calls failed, ${invites.length} INVITEs on record`);
  });

  it('absent over TCP (connection refused): exit 3 at once, and the run folder says why', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const run = join(tempDir('load-absent'), 'run');
    const started = Date.now();
    const { code, stderr } = await runCli(['load', '--proxy', `127.0.0.1:${port}`, '--transport', 'tcp', ...accounts, '--rate', '20', '--duration', '120', '--capture', run], { env });
    expect(code).toBe(3);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(stderr).toContain(`tcp connection to 127.0.0.1:${port} refused`);
    expect(readSummary(run)).toMatchObject({ passed: false, exitCode: 3, error: { type: 'TransportError' } });
  });
});
