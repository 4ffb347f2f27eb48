import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMessagesJsonlFile } from '../../src/capture/messages-jsonl.js';
import type { RtpPacketEvent } from '../../src/events/types.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { tshark } from '../capture/fixtures/tshark.js';
import { runCli } from '../support/run-cli.js';
import { capturedSip, expectEveryCallComplete } from './support/capture-folder.js';

/** `sipbots load --media rtp --capture`: the calls' RTP in the run folder, as Wireshark decodes it. */
const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: 'capture-rtp-secret' };
const load = (calls: number): string[] => ['load', '--embedded-proxy', '--accounts', 'u{001..020}@lab.test', '--calls', String(calls), '--rate', '20', '--hold', '1', '--media', 'rtp'];

interface RtpFrame {
  ssrc: string;
  comment: string;
}

/** The frames tshark's RTP heuristic dissects (our SDP also names the ports, but a reused pair outlives its call's SDP). */
function tsharkRtp(dir: string): RtpFrame[] {
  const out = tshark(['-r', join(dir, 'signaling.pcapng'), '-o', 'rtp.heuristic_rtp:TRUE', '-Y', 'rtp && rtp.p_type == 0', '-T', 'fields', '-E', 'separator=|', '-e', 'rtp.ssrc', '-e', 'frame.comment']);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [ssrc = '', comment = ''] = line.split('|');
      return { ssrc, comment };
    });
}

async function capturedRtp(dir: string): Promise<RtpPacketEvent[]> {
  return (await readMessagesJsonlFile(join(dir, 'messages.jsonl'))).filter((e): e is RtpPacketEvent => e.type === 'rtp');
}

function run(): { dir: string; json: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sipbots-capture-rtp-'));
  return { dir: join(dir, 'run'), json: join(dir, 'result.json') };
}

describe('sipbots load --media rtp --capture', () => {
  it('every packet each leg sent is one RTP frame, and the frames both legs recorded are the packets the run says were received', async () => {
    const { dir, json } = run();
    const out = await runCli([...load(10), '--capture', dir, '--json', json], { env });
    expect(out.code, out.stderr).toBe(0);
    const m = (JSON.parse(readFileSync(json, 'utf8')) as LoadResult).media!;
    expect(m.counters).toMatchObject({ calls: 10, twoWay: 10 });
    expectEveryCallComplete(await capturedSip(dir), 10);
    const frames = tsharkRtp(dir);
    // One SSRC per direction of every call.
    expect(new Set(frames.map((f) => f.ssrc)).size).toBe(20);
    expect(frames.length).toBe(m.counters.packetsSent);
    // The receiving leg's copy merged into the sender's frame: its comment names both ends.
    const heard = frames.filter((f) => /party=caller party=callee|party=callee party=caller/.test(f.comment));
    expect(heard.length).toBe(m.counters.packetsReceived);
    const rtp = await capturedRtp(dir);
    expect(rtp.filter((e) => e.direction === 'out').length).toBe(m.counters.packetsSent);
    expect(rtp.filter((e) => e.direction === 'in').length).toBe(m.counters.packetsReceived);
  }, 60_000);

  it('--capture-rtp 3 records the RTP of 3 calls only (the first to open media), and every SIP message still', async () => {
    const { dir, json } = run();
    const out = await runCli([...load(10), '--capture', dir, '--capture-rtp', '3', '--json', json], { env });
    expect(out.code, out.stderr).toBe(0);
    const m = (JSON.parse(readFileSync(json, 'utf8')) as LoadResult).media!;
    expect(m.counters).toMatchObject({ calls: 10, twoWay: 10 });
    expectEveryCallComplete(await capturedSip(dir), 10);
    const frames = tsharkRtp(dir);
    expect(new Set(frames.map((f) => f.ssrc)).size).toBe(6);
    const rtp = await capturedRtp(dir);
    const sent = rtp.filter((e) => e.direction === 'out');
    expect(frames.length).toBe(sent.length);
    // Each of the 6 streams ran for the 1 s hold (50 packets/s), and the other 7 calls' packets are not there.
    expect(sent.length).toBeGreaterThanOrEqual(6 * 25);
    expect(sent.length).toBeLessThan((m.counters.packetsSent * 6) / 20 + 6 * 25);
  }, 60_000);

  it('refuses --capture-rtp without --capture or without media (exit 2)', async () => {
    const out = await runCli(['load', '--embedded-proxy', '--accounts', 'u{001..004}@lab.test', '--calls', '2', '--rate', '10', '--capture-rtp', '2'], { env });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--capture-rtp 2 without --capture: there is no run folder to record the RTP in');
    expect(out.stderr).toContain('--capture-rtp 2 without --media rtp: there is no RTP to record');
  });
});
