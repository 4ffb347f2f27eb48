import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capturedSip, expectPcapngMatchesJsonl, readSummary } from '../load/support/capture-folder.js';
import { buildCli, spawnCli, waitFor, type SpawnedCli } from './support/spawn-cli.js';

/**
 * Issue 14 item 5: Ctrl-C (SIGINT) or SIGTERM must end lab, run and load with exit 130 within
 * 5 s whatever the server does, and leave whole files marked interrupted. The server here never
 * answers: a UDP socket that swallows everything (registration hangs), or a `sipbots proxy`
 * frozen with SIGSTOP while a call rings (CANCEL, BYE and REGISTER Expires 0 go unanswered).
 */
beforeAll(() => buildCli(), 120_000);

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sipbots-frozen-'));
}

/** A UDP "server" that receives everything and answers nothing. */
async function silentServer(): Promise<number> {
  const socket = createSocket('udp4');
  socket.on('message', () => undefined);
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
  cleanup.push(() => new Promise<void>((done) => socket.close(() => done())));
  return socket.address().port;
}

/** `sipbots proxy` in a process of its own, to be frozen with SIGSTOP. */
async function proxyProcess(args: string[] = []): Promise<{ cli: SpawnedCli; port: number }> {
  const cli = spawnCli(['proxy', '--transport', 'udp', ...args]);
  cleanup.push(() => {
    cli.child.kill('SIGKILL');
  });
  expect(await waitFor(() => /listening udp 127\.0\.0\.1:\d+/.test(cli.stdout()), 60_000)).toBe(true);
  return { cli, port: Number(/listening udp 127\.0\.0\.1:(\d+)/.exec(cli.stdout())![1]) };
}

/** Whether the run folder's messages.jsonl already shows a line matching `pattern`. */
function logged(dir: string, pattern: RegExp): boolean {
  const file = join(dir, 'messages.jsonl');
  return existsSync(file) && pattern.test(readFileSync(file, 'utf8'));
}

async function interruptAndTime(cli: SpawnedCli, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const sentAt = Date.now();
  cli.child.kill(signal);
  const { code, at } = await cli.exit;
  return { code, ms: at - sentAt };
}

/** The lab/run folder is whole and says it was interrupted. */
async function expectInterruptedRunFolder(dir: string): Promise<void> {
  const sip = await capturedSip(dir);
  expect(sip.length).toBeGreaterThan(0);
  expectPcapngMatchesJsonl(dir, sip);
  expect(readSummary<{ interrupted: boolean; passed: boolean }>(dir)).toMatchObject({ interrupted: true, passed: false });
  expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/interrupted/i);
  expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<\/testsuites?>\s*$/);
}

describe('interrupted with a server that never answers (issue 14 item 5)', () => {
  it('lab, SIGINT while registering with a silent server: exit 130 within 5 s, files marked interrupted', async () => {
    const port = await silentServer();
    const dir = join(tempDir(), 'run');
    const cli = spawnCli(['lab', '--server', `sip:127.0.0.1:${port}`, '--out', dir, '--media', 'none', '--register-timeout', '30']);
    expect(await waitFor(() => logged(dir, /"REGISTER sip:/), 60_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const { code, ms } = await interruptAndTime(cli, 'SIGINT');
    expect(code).toBe(130);
    expect(ms).toBeLessThan(5000);
    await expectInterruptedRunFolder(dir);
    console.info(`[security] lab SIGINT while registering, silent server: exit ${code} after ${ms} ms`);
  }, 180_000);

  it('lab --only no-answer, SIGINT while ringing after the proxy froze: exit 130 within 5 s, files marked interrupted', async () => {
    const proxy = await proxyProcess();
    const dir = join(tempDir(), 'run');
    const cli = spawnCli(['lab', '--server', `sip:127.0.0.1:${proxy.port}`, '--only', 'no-answer', '--ring-timeout', '30', '--out', dir, '--media', 'none']);
    expect(await waitFor(() => logged(dir, /"SIP\/2.0 180 Ringing/), 60_000)).toBe(true);
    proxy.cli.child.kill('SIGSTOP');
    const { code, ms } = await interruptAndTime(cli, 'SIGINT');
    expect(code).toBe(130);
    expect(ms).toBeLessThan(5000);
    await expectInterruptedRunFolder(dir);
    // The caller still CANCELled the ringing call and every bot sent its Expires 0 REGISTER.
    const sip = await capturedSip(dir);
    expect(sip.some((e) => e.party === 'alice' && e.direction === 'out' && e.method === 'CANCEL')).toBe(true);
    console.info(`[security] lab SIGINT while ringing, frozen proxy: exit ${code} after ${ms} ms (was 51 s)`);
  }, 180_000);

  it('run, SIGTERM while ringing after the proxy froze: exit 130 within 5 s, files marked interrupted', async () => {
    const proxy = await proxyProcess();
    const dir = join(tempDir(), 'run');
    const cli = spawnCli(['run', 'scenarios/lab/no-answer.yaml', '--server', `sip:127.0.0.1:${proxy.port}`, '--out', dir, '--media', 'none']);
    expect(await waitFor(() => logged(dir, /"SIP\/2.0 180 Ringing/), 60_000)).toBe(true);
    proxy.cli.child.kill('SIGSTOP');
    const { code, ms } = await interruptAndTime(cli, 'SIGTERM');
    expect(code).toBe(130);
    expect(ms).toBeLessThan(5000);
    await expectInterruptedRunFolder(dir);
    console.info(`[security] run SIGTERM while ringing, frozen proxy: exit ${code} after ${ms} ms`);
  }, 180_000);

  it('run, SIGTERM while registering with a silent server: summary says interrupted (it said false)', async () => {
    const port = await silentServer();
    const dir = join(tempDir(), 'run');
    const cli = spawnCli(['run', 'scenarios/lab/reject.yaml', '--server', `sip:127.0.0.1:${port}`, '--out', dir, '--media', 'none']);
    expect(await waitFor(() => logged(dir, /"REGISTER sip:/), 60_000)).toBe(true);
    const { code, ms } = await interruptAndTime(cli, 'SIGTERM');
    expect(code).toBe(130);
    expect(ms).toBeLessThan(5000);
    await expectInterruptedRunFolder(dir);
  }, 180_000);

  it('load, SIGINT while callees register with a silent server, and while calls ring at a frozen proxy: exit 130 within 5 s', async () => {
    const port = await silentServer();
    const env = { SIPBOTS_PASSWORD: 'load-secret' };
    const registering = join(tempDir(), 'load');
    const first = spawnCli(['load', '--proxy', `127.0.0.1:${port}`, '--accounts', 'u{0001..0010}@lab.test', '--rate', '5', '--duration', '30', '--capture', registering], { env });
    expect(await waitFor(() => logged(registering, /"REGISTER sip:/), 60_000)).toBe(true);
    const atRegistration = await interruptAndTime(first, 'SIGINT');
    expect(atRegistration.code).toBe(130);
    expect(atRegistration.ms).toBeLessThan(5000);
    expect(readSummary<{ interrupted: boolean }>(registering)).toMatchObject({ interrupted: true });
    expectPcapngMatchesJsonl(registering, await capturedSip(registering));

    const users = join(tempDir(), 'users.txt');
    writeFileSync(users, Array.from({ length: 10 }, (_, i) => `u${String(i + 1).padStart(4, '0')}=load-secret`).join('\n') + '\n');
    const proxy = await proxyProcess(['--users', users]);
    const ringing = join(tempDir(), 'load');
    const second = spawnCli(['load', '--proxy', `127.0.0.1:${proxy.port}`, '--accounts', 'u{0001..0010}@lab.test', '--scenario', 'scenarios/lab/no-answer.yaml', '--rate', '2', '--duration', '30', '--capture', ringing], { env });
    expect(await waitFor(() => logged(ringing, /"SIP\/2.0 180 Ringing/), 60_000)).toBe(true);
    proxy.cli.child.kill('SIGSTOP');
    const atRinging = await interruptAndTime(second, 'SIGINT');
    expect(atRinging.code).toBe(130);
    expect(atRinging.ms).toBeLessThan(5000);
    expect(readSummary<{ interrupted: boolean }>(ringing)).toMatchObject({ interrupted: true });
    expectPcapngMatchesJsonl(ringing, await capturedSip(ringing));
    console.info(`[security] load SIGINT: registering ${atRegistration.ms} ms, ringing at a frozen proxy ${atRinging.ms} ms`);
  }, 240_000);
});
