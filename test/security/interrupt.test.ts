import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMessagesJsonlFile } from '../../src/capture/messages-jsonl.js';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { capturedSip, expectPcapngMatchesJsonl, readSummary } from '../load/support/capture-folder.js';
import { waitForMessagesLine } from '../support/run-folder-watch.js';
import { buildCli, spawnCli, waitFor } from './support/spawn-cli.js';

/** SIGINT (a person pressing Ctrl-C) and SIGTERM (a CI runner or Kubernetes stopping the job) during `sipbots lab` and `sipbots load`. */
beforeAll(() => buildCli(), 120_000);

function outDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'sipbots-sigint-')), 'run');
}

/** Signals once, waits for the "interrupted" line, signals again: exit 130 within 1 s of the second. */
async function expectSecondSignalExitsAtOnce(cli: ReturnType<typeof spawnCli>, signal: NodeJS.Signals): Promise<void> {
  cli.child.kill(signal);
  await waitFor(() => cli.stderr().includes('interrupted'), 2000);
  const secondAt = Date.now();
  cli.child.kill(signal);
  const { code, at } = await cli.exit;
  expect(code).toBe(130);
  expect(at - secondAt).toBeLessThan(1000);
}

describe('interrupting a lab run', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s: hangs up, unregisters, writes valid files marked interrupted and exits 130 within 5 s', async (signal) => {
    const dir = outDir();
    const cli = spawnCli(['lab', '--out', dir, '--media', 'none']);
    // The first case (no-answer) rings for 2 s before Alice CANCELs: interrupt once she hears it
    // ring (a fixed delay after the header missed that window on a busy machine).
    const aliceHearsRinging = (line: string) => line.includes('"party":"alice","direction":"in"') && line.includes('SIP/2.0 180 ');
    expect(await waitForMessagesLine(() => dir, aliceHearsRinging, 30_000)).toBe(true);
    const sentAt = Date.now();
    cli.child.kill(signal);
    const { code, at } = await cli.exit;
    const exitMs = at - sentAt;
    expect(code).toBe(130);
    expect(exitMs).toBeLessThan(5000);
    expect(cli.stderr()).toContain('interrupted');

    const events = await readMessagesJsonlFile(join(dir, 'messages.jsonl'));
    const sip = events.filter((e): e is SipMessageEvent => e.type === 'sip');
    const capture = await readSipCaptureFile(join(dir, 'signaling.pcapng'));
    expect(capture.messages.length).toBeGreaterThan(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { interrupted: boolean; passed: boolean };
    expect(summary).toMatchObject({ interrupted: true, passed: false });
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/interrupted/i);

    // The call that was ringing was CANCELled (or BYEd had it been answered) by the caller.
    const invites = sip.filter((e) => e.party === 'alice' && e.direction === 'out' && e.method === 'INVITE');
    const lastCall = invites.at(-1)?.callId;
    expect(sip.some((e) => e.party === 'alice' && e.direction === 'out' && e.callId === lastCall && (e.method === 'CANCEL' || e.method === 'BYE'))).toBe(true);
    // Every bot unregistered: REGISTER with Expires: 0 (or expires=0 on the Contact).
    for (const bot of ['alice', 'bob', 'carol']) {
      expect(sip.some((e) => e.party === bot && e.direction === 'out' && e.method === 'REGISTER' && /^Expires:\s*0\s*$|;expires=0\b/im.test(e.raw)), `${bot} unregistered`).toBe(true);
    }
    console.info(`[security] lab ${signal}: exit ${code} after ${exitMs} ms; ${sip.length} messages, ${capture.messages.length} in the pcapng`);
  }, 60_000);

  it('a second SIGINT exits at once', async () => {
    const cli = spawnCli(['lab', '--out', outDir(), '--media', 'none']);
    expect(await waitFor(() => cli.stdout().includes('sipbots lab:'), 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    await expectSecondSignalExitsAtOnce(cli, 'SIGINT');
  }, 60_000);
});

describe('interrupting a load run', () => {
  /** 10 calls a second held for 60 s: at the signal, every call so far is still up. */
  const load = (dir: string) =>
    spawnCli(['load', '--embedded-proxy', '--accounts', 'u{0001..0020}@lab.test', '--rate', '10', '--calls', '200', '--hold', '60', '--capture', dir], {
      env: { SIPBOTS_PASSWORD: 'load-secret' },
    });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s: hangs up every call now, unregisters, closes valid files marked interrupted and exits 130 within 5 s', async (signal) => {
    const dir = outDir();
    const cli = load(dir);
    expect(await waitFor(() => /^ +2s /m.test(cli.stdout()), 15_000)).toBe(true);
    const sentAt = Date.now();
    cli.child.kill(signal);
    const { code, at } = await cli.exit;
    const exitMs = at - sentAt;
    expect(code).toBe(130);
    expect(exitMs).toBeLessThan(5000);
    expect(cli.stderr()).toContain('interrupted');

    const sip = await capturedSip(dir);
    const calls = [...new Set(sip.filter((e) => e.party === 'caller-0' && e.direction === 'out' && e.method === 'INVITE').map((e) => e.callId))];
    expect(calls.length).toBeGreaterThanOrEqual(15);
    // Every call was ended by the caller at the signal, not 60 s later: BYE once answered, CANCEL while ringing.
    // A call whose first INVITE was still unanswered at the signal has nothing to hang up when its 407
    // comes: it ends there, without the INVITE with credentials.
    let challengedAtTheSignal = 0;
    for (const callId of calls) {
      const invites = sip.filter((e) => e.party === 'caller-0' && e.direction === 'out' && e.callId === callId && e.method === 'INVITE');
      const challenge = sip.find((e) => e.party === 'caller-0' && e.direction === 'in' && e.callId === callId && e.status === 407);
      if (invites.length === 1 && challenge !== undefined && challenge.at >= sentAt) {
        challengedAtTheSignal++;
        expect(sip.some((e) => e.party === 'caller-0' && e.direction === 'out' && e.callId === callId && e.method === 'ACK'), `${callId} ACKed its 407`).toBe(true);
        continue;
      }
      const hangUp = sip.find((e) => e.party === 'caller-0' && e.direction === 'out' && e.callId === callId && (e.method === 'BYE' || e.method === 'CANCEL'));
      const flow = sip.filter((e) => e.callId === callId).map((e) => `${e.party} ${e.direction} ${e.method ?? e.status} @${e.at - sentAt} ms`);
      expect(hangUp, `${callId} hung up; its messages around the signal: ${flow.join(', ')}`).toBeDefined();
      expect(hangUp!.at).toBeGreaterThanOrEqual(sentAt);
      expect(sip.some((e) => e.callId === callId && e.direction === 'in' && e.status !== undefined && /^\d+ (BYE|CANCEL)$/.test(e.cseq ?? ''))).toBe(true);
    }
    // Every callee unregistered (Expires: 0) and the registrar confirmed it.
    const unregisters = sip.filter((e) => e.party === 'callee' && e.direction === 'out' && e.method === 'REGISTER' && /^Expires: 0\r?$/m.test(e.raw));
    const users = new Set(unregisters.map((e) => /^To: <sip:([^@]+)@/m.exec(e.raw)?.[1]));
    expect(users.size).toBe(20);
    // Both files are whole: tshark reads as many SIP messages as messages.jsonl holds.
    const count = expectPcapngMatchesJsonl(dir, sip);
    const summary = readSummary<LoadResult>(dir);
    expect(summary).toMatchObject({ interrupted: true, passed: false });
    expect(summary.counters.attempted).toBe(summary.counters.succeeded + summary.counters.failed);
    expect(summary.counters.active).toBe(0);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('type="Interrupted"');
    console.info(`[security] load ${signal}: exit ${code} after ${exitMs} ms; ${calls.length - challengedAtTheSignal} calls hung up, ${challengedAtTheSignal} challenged after the signal and dropped, ${count} SIP messages in messages.jsonl and the pcapng`);
  }, 60_000);

  it('a second SIGTERM exits at once', async () => {
    const cli = load(outDir());
    expect(await waitFor(() => /^ +1s /m.test(cli.stdout()), 15_000)).toBe(true);
    await expectSecondSignalExitsAtOnce(cli, 'SIGTERM');
  }, 60_000);
});
