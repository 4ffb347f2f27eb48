import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { buildCli, spawnCli } from '../security/support/spawn-cli.js';
import { runCli } from '../support/run-cli.js';
import { capturedSip, expectEveryCallComplete, expectPcapngMatchesJsonl, readSummary } from './support/capture-folder.js';

/** `sipbots load --capture`: every message of a load run in a run folder that Wireshark opens. */
const PASSWORD = 'load-secret';
const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: PASSWORD };
const load = ['load', '--embedded-proxy', '--accounts', 'u{0001..0010}@lab.test', '--rate', '30', '--calls', '30', '--hold', '0.2'];

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'sipbots-load-capture-')), 'run');
}

describe('sipbots load --capture', () => {
  it('30 calls in one thread: every INVITE/407/ACK/180/200/BYE/200 of every call in messages.jsonl, and tshark reads the same messages from the pcapng', async () => {
    const dir = freshDir();
    const { code, stderr } = await runCli([...load, '--capture', dir], { env });
    expect(code).toBe(0);
    expect(stderr).toBe(`capture: ${dir}\n`);
    const sip = await capturedSip(dir);
    expectEveryCallComplete(sip, 30);
    // The callees registered before the calls and unregistered after them, on the record too.
    expect(sip.filter((e) => e.party === 'callee' && e.method === 'REGISTER' && /^Expires: 0\r?$/m.test(e.raw)).length).toBeGreaterThanOrEqual(10);
    const count = expectPcapngMatchesJsonl(dir, sip);
    const summary = readSummary<LoadResult>(dir);
    expect(summary.counters).toMatchObject({ attempted: 30, succeeded: 30, failed: 0 });
    expect(summary.passed).toBe(true);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite name="sipbots load"');
    // The password never reaches the files, only its digest.
    expect(readFileSync(join(dir, 'messages.jsonl'), 'utf8')).not.toContain(PASSWORD);
    console.info(`[load] --capture: ${count} SIP messages in messages.jsonl and in the pcapng`);
  });

  it('refuses a folder that already holds a run (exit 2), never overwriting it', async () => {
    const dir = freshDir();
    expect((await runCli([...load.slice(0, -4), '--calls', '2', '--rate', '20', '--hold', '0', '--capture', dir], { env })).code).toBe(0);
    const before = readFileSync(join(dir, 'messages.jsonl'), 'utf8');
    const again = await runCli([...load, '--capture', dir], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds a run');
    expect(readFileSync(join(dir, 'messages.jsonl'), 'utf8')).toBe(before);
  });
});

describe('sipbots load --capture --workers 2', () => {
  // Worker threads cannot load TypeScript under Node 20: the built CLI runs this one.
  beforeAll(() => buildCli(), 120_000);

  it('each worker posts its wire records to the main thread, which writes one complete folder', async () => {
    const dir = freshDir();
    const cli = spawnCli([...load, '--workers', '2', '--capture', dir], { env });
    const { code } = await cli.exit;
    expect(cli.stderr()).toBe(`capture: ${dir}\n`);
    expect(code).toBe(0);
    const sip = await capturedSip(dir);
    // Parties are named per worker (w0-caller-0, w1-callee, …): both workers recorded.
    expect(new Set(sip.map((e) => e.party))).toEqual(new Set(['w0-caller-0', 'w0-callee', 'w1-caller-0', 'w1-callee']));
    expectEveryCallComplete(sip, 30);
    expectPcapngMatchesJsonl(dir, sip);
    expect(readSummary<LoadResult>(dir).counters).toMatchObject({ attempted: 30, succeeded: 30, failed: 0 });
  }, 120_000);
});
