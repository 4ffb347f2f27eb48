import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresipCallee } from './support/baresip.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { freeLoopbackPort, waitForUdpBound } from './support/ports.js';
import { runSipp, sippScenario, startSipp, writeSippCsv, type SippResult } from './support/sipp.js';

// SIPp UAC -> Kamailio (digest, record-route) -> SIPp UAS, all over UDP on 127.0.0.1.
// Each call uses its own callee so a registration left by one test never forks into another.

const FR_INV_TIMER_MS = 3_000;
const users = {
  alice: ['alice', 'alice-secret', 'lab.test'],
  bob: ['bob', 'bob-secret', 'lab.test'],
  carol: ['carol', 'carol-secret', 'lab.test'],
  u0001: ['u0001', 'load-secret', 'lab.test'],
} as const;

let kamailio: KamailioPeer;
let csvDir: string;

beforeAll(async () => {
  kamailio = await startKamailio({ frInvTimerMs: FR_INV_TIMER_MS });
  csvDir = await mkdtemp(join(tmpdir(), 'sipbots-interop-csv-'));
});

afterAll(async () => {
  await kamailio?.stop();
  if (csvDir) await rm(csvDir, { recursive: true, force: true });
});

const proxy = (): string => `127.0.0.1:${kamailio.udpPort}`;

async function csvFor(user: keyof typeof users): Promise<string> {
  return writeSippCsv(join(csvDir, `${user}.csv`), [users[user]]);
}

/** REGISTER `user` with digest, Contact pointing at `contactPort` (a SIPp UAS). */
async function register(user: keyof typeof users, contactPort: number, expires: number): Promise<SippResult> {
  return runSipp(
    [
      proxy(), '-sf', sippScenario('register'), '-inf', await csvFor(user),
      '-key', 'contact_port', String(contactPort), '-key', 'expires', String(expires),
      '-i', '127.0.0.1', '-p', String(await freeLoopbackPort()), '-m', '1',
    ],
    { timeoutMs: 10_000 },
  );
}

/** Registers `callee` at a SIPp UAS running `uasScenario`, then runs `uacScenario` as alice. */
async function callThroughKamailio(
  callee: keyof typeof users,
  uasScenario: string,
  uacScenario: string,
): Promise<{ uac: SippResult; uas: SippResult; elapsedMs: number }> {
  const uasPort = await freeLoopbackPort();
  const registration = await register(callee, uasPort, 300);
  expect(registration.exitCode, registration.errors || registration.stdout).toBe(0);

  const uas = await startSipp(
    ['-sf', sippScenario(uasScenario), '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1'],
    { timeoutMs: 30_000 },
  );
  try {
    await waitForUdpBound(uasPort);
    const started = Date.now();
    const uac = await runSipp(
      [
        proxy(), '-sf', sippScenario(uacScenario), '-inf', await csvFor('alice'), '-s', callee,
        '-i', '127.0.0.1', '-p', String(await freeLoopbackPort()), '-m', '1', '-trace_logs',
      ],
      { timeoutMs: 30_000 },
    );
    const elapsedMs = Date.now() - started;
    return { uac, uas: await uas.done, elapsedMs };
  } finally {
    await uas.stop();
    await register(callee, uasPort, 0);
  }
}

describe('SIPp through the lab Kamailio', () => {
  it('alice calls bob with digest: INVITE 407 ACK INVITE 100 180 200 ACK BYE 200', async () => {
    const { uac, uas } = await callThroughKamailio('bob', 'uas-answer', 'uac-auth');

    expect(uac.exitCode, uac.errors || uac.stdout).toBe(0);
    expect(uac.stats['SuccessfulCall(C)']).toBe('1');
    expect(uac.stats['FailedCall(C)']).toBe('0');
    expect(uas.exitCode, uas.errors || uas.stdout).toBe(0);
    expect(uas.stats['SuccessfulCall(C)']).toBe('1');
  });

  it('carol rings forever: Kamailio fr_inv_timer CANCELs her and answers alice 408', async () => {
    const { uac, uas, elapsedMs } = await callThroughKamailio('carol', 'uas-ring-forever', 'uac-auth-fail');

    expect(uac.exitCode, uac.errors || uac.stdout).toBe(0);
    expect(uac.logs).toContain('final-response 408');
    // The timer starts at carol's 180, a few ms after the INVITE.
    expect(elapsedMs).toBeGreaterThanOrEqual(FR_INV_TIMER_MS - 100);
    expect(elapsedMs).toBeLessThan(FR_INV_TIMER_MS + 2_000);
    // carol got the CANCEL, answered 200 + 487 and got the ACK.
    expect(uas.exitCode, uas.errors || uas.stdout).toBe(0);
    expect(uas.stats['SuccessfulCall(C)']).toBe('1');
  });

  it('u0001 is a baresip registered over TCP: Kamailio reaches it on its own connection, it auto-answers', async () => {
    const callee = await startBaresipCallee({
      user: 'u0001',
      password: 'load-secret',
      proxyPort: kamailio.tcpPort,
      transport: 'tcp',
    });
    try {
      const uac = await runSipp(
        [
          proxy(), '-sf', sippScenario('uac-auth'), '-inf', await csvFor('alice'), '-s', 'u0001',
          '-i', '127.0.0.1', '-p', String(await freeLoopbackPort()), '-m', '1',
        ],
        { timeoutMs: 30_000 },
      );
      expect(uac.exitCode, uac.errors || uac.stdout).toBe(0);
      expect(uac.stats['SuccessfulCall(C)']).toBe('1');
      expect(callee.output()).toMatch(/u0001@lab\.test: \{0\/TCP\/v4\} 200 OK/);
      expect(callee.output()).toContain('Call established: sip:alice@lab.test');
    } finally {
      // Before Kamailio stops, so baresip's unregister is answered.
      await callee.stop();
    }
  });
});
