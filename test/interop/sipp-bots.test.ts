import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { CallStateEvent, SipbotsEvent } from '../../src/events/types.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { freeLoopbackPort, waitForUdpBound } from './support/ports.js';
import { cleanupRuns, describeRun, fixture, runSipbots } from './support/sipbots-cli.js';
import { runSipp, sippScenario, startSipp, writeSippCsv, type SippResult } from './support/sipp.js';

// SIPp as the other party of a sipbots bot, both registered on the lab Kamailio (UDP; the
// Debian SIPp has no TLS/WS). Each SIPp callee is its own user, so no registration left by
// one test forks a call of another.

const FR_INV_TIMER_MS = 3_000;
const botsFile = fixture('bots-alice-bob.yaml');

let kamailio: KamailioPeer;
let csvDir: string;

beforeAll(async () => {
  kamailio = await startKamailio({ frInvTimerMs: FR_INV_TIMER_MS });
  csvDir = await mkdtemp(join(tmpdir(), 'sipbots-interop-csv-'));
});

afterAll(async () => {
  await kamailio?.stop();
  if (csvDir) await rm(csvDir, { recursive: true, force: true });
  await cleanupRuns();
});

const proxy = (): string => `127.0.0.1:${kamailio.udpPort}`;
const server = (): string => `sip:127.0.0.1:${kamailio.udpPort}`;

async function csvFor(user: string, password: string): Promise<string> {
  return writeSippCsv(join(csvDir, `${user}.csv`), [[user, password, 'lab.test']]);
}

/** REGISTER `user` (password load-secret) with its Contact at a SIPp UAS on `contactPort`. */
async function registerSippUser(user: string, contactPort: number, expires: number): Promise<SippResult> {
  return runSipp(
    [
      proxy(), '-sf', sippScenario('register'), '-inf', await csvFor(user, 'load-secret'),
      '-key', 'contact_port', String(contactPort), '-key', 'expires', String(expires),
      '-i', '127.0.0.1', '-p', String(await freeLoopbackPort()), '-m', '1',
    ],
    { timeoutMs: 10_000 },
  );
}

/**
 * A SIPp UAS running `scenario` and registered as `user`; runs `work` (the bot's call), then
 * stops SIPp and unregisters. Returns what both sides did.
 */
async function withSippCallee<T>(
  user: string,
  scenario: string,
  work: () => Promise<T>,
): Promise<{ result: T; uas: SippResult }> {
  const uasPort = await freeLoopbackPort();
  const uas = await startSipp(
    ['-sf', sippScenario(scenario), '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1', '-mp', String(await freeLoopbackPort())],
    { timeoutMs: 30_000 },
  );
  try {
    await waitForUdpBound(uasPort);
    const registration = await registerSippUser(user, uasPort, 120);
    expect(registration.exitCode, registration.errors || registration.stdout).toBe(0);
    const result = await work();
    // SIPp ends by itself after its one call (-m 1); give it a moment for the last ACK.
    const settled = await Promise.race([uas.done, new Promise<undefined>((r) => setTimeout(r, 5_000, undefined))]);
    return { result, uas: settled ?? (await uas.stop()) };
  } finally {
    await uas.stop();
    await registerSippUser(user, uasPort, 0);
  }
}

/** `sipbots run <fixture> --json` with alice calling out through Kamailio, signaling only. */
function runScenario(file: string) {
  return runSipbots(['run', fixture(file), '--bots', botsFile, '--server', server(), '--media', 'none', '--json'], {
    timeoutMs: 30_000,
  });
}

describe('SIPp UAC calls a sipbots bot through Kamailio', () => {
  it('alice (SIPp, digest) calls bob (bot): bob answers, SIPp hangs up, 1 successful call', async () => {
    const bots = await loadBotsFile(botsFile);
    const events: SipbotsEvent[] = [];
    const stream = new EventStream((error) => {
      throw error;
    });
    stream.subscribe((event) => events.push(event));
    const bob = new Bot({
      account: { ...bots.bots.get('bob')!, transport: 'udp', behaviour: { ...bots.bots.get('bob')!.behaviour, onInvite: 'answer', ringForMs: 200 } },
      server: { address: '127.0.0.1', port: kamailio.udpPort },
      events: stream,
      registerTimeoutMs: 5_000,
    });
    try {
      await bob.start();
      await bob.register();
      const uac = await runSipp(
        [
          proxy(), '-sf', sippScenario('uac-auth'), '-inf', await csvFor('alice', 'alice-secret'), '-s', 'bob',
          '-i', '127.0.0.1', '-p', String(await freeLoopbackPort()), '-m', '1',
        ],
        { timeoutMs: 20_000 },
      );

      expect(uac.exitCode, uac.errors || uac.stdout).toBe(0);
      expect(uac.stats['SuccessfulCall(C)']).toBe('1');
      expect(uac.stats['FailedCall(C)']).toBe('0');
      // bob's side: ringing, confirmed by SIPp's ACK, ended by SIPp's BYE.
      const states = events.filter((e): e is CallStateEvent => e.type === 'call-state' && e.party === 'bob').map((e) => e.to);
      expect(states).toEqual(expect.arrayContaining(['ringing', 'confirmed', 'terminated']));
      const byeIn = events.find((e) => e.type === 'sip' && e.party === 'bob' && e.direction === 'in' && e.method === 'BYE');
      expect(byeIn, 'bob never received the BYE').toBeDefined();
    } finally {
      await bob.stop();
    }
  }, 40_000);
});

describe('a sipbots bot calls SIPp UAS scenarios through Kamailio', () => {
  it('u0001 answers 486 (uas-busy.xml): alice ACKs, her call ends 486', async () => {
    const { result: run, uas } = await withSippCallee('u0001', 'uas-busy', () => runScenario('call-sipp-busy.yaml'));

    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.summary!.cases[0]).toMatchObject({ id: 'call-sipp-busy', passed: true, finalStatus: 486, outcome: 'rejected' });
    expect(uas.exitCode, uas.errors || uas.stdout).toBe(0);
    expect(uas.stats['SuccessfulCall(C)']).toBe('1');
  }, 40_000);

  it('u0002 rings forever (uas-ring-forever.xml): alice CANCELs after 1.5 s, SIPp ends the INVITE 487', async () => {
    const { result: run, uas } = await withSippCallee('u0002', 'uas-ring-forever', () => runScenario('call-sipp-ring-forever.yaml'));

    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.summary!.cases[0]).toMatchObject({ id: 'call-sipp-ring-forever', passed: true, finalStatus: 487, endedBy: 'caller' });
    // SIPp got the CANCEL (relayed by Kamailio), answered 200 + 487 and got the ACK.
    expect(uas.exitCode, uas.errors || uas.stdout).toBe(0);
    expect(uas.stats['SuccessfulCall(C)']).toBe('1');
  }, 40_000);

  it('u0003 answers (uas-answer.xml): alice ACKs through the Record-Route, talks 1 s, BYE 200', async () => {
    const { result: run, uas } = await withSippCallee('u0003', 'uas-answer', () => runScenario('call-sipp-answer.yaml'));

    expect(run.exitCode, describeRun(run)).toBe(0);
    const result = run.summary!.cases[0]!;
    expect(result).toMatchObject({ id: 'call-sipp-answer', passed: true, finalStatus: 200, outcome: 'answered' });
    expect(result.legs.caller).toEqual(expect.arrayContaining(['ACK>', 'BYE>', '<200/BYE']));
    expect(uas.exitCode, uas.errors || uas.stdout).toBe(0);
    expect(uas.stats['SuccessfulCall(C)']).toBe('1');
  }, 40_000);
});
