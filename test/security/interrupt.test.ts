import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMessagesJsonlFile } from '../../src/capture/messages-jsonl.js';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { buildCli, spawnCli, waitFor } from './support/spawn-cli.js';

/** SIGINT during `sipbots lab`, as a person pressing Ctrl-C. */
beforeAll(() => buildCli(), 120_000);

function outDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'sipbots-sigint-')), 'run');
}

describe('interrupting a lab run', () => {
  it('hangs up, unregisters, writes valid files marked interrupted and exits 130 within 5 s', async () => {
    const dir = outDir();
    const cli = spawnCli(['lab', '--out', dir, '--media', 'none']);
    // The first case (no-answer) rings for 2 s before Alice CANCELs: interrupt while it rings.
    expect(await waitFor(() => cli.stdout().includes('sipbots lab:'), 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    const sentAt = Date.now();
    cli.child.kill('SIGINT');
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
    console.info(`[security] SIGINT: exit ${code} after ${exitMs} ms; ${sip.length} messages, ${capture.messages.length} in the pcapng`);
  }, 60_000);

  it('a second SIGINT exits at once', async () => {
    const cli = spawnCli(['lab', '--out', outDir(), '--media', 'none']);
    expect(await waitFor(() => cli.stdout().includes('sipbots lab:'), 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    cli.child.kill('SIGINT');
    await waitFor(() => cli.stderr().includes('interrupted'), 2000);
    const secondAt = Date.now();
    cli.child.kill('SIGINT');
    const { code, at } = await cli.exit;
    expect(code).toBe(130);
    expect(at - secondAt).toBeLessThan(1000);
  }, 60_000);
});
