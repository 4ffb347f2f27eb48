import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { runCli } from '../support/run-cli.js';
import { freeUdpPort, requireTool, runToEnd } from '../capture/fixtures/peers.js';
import { buildCli, spawnCli, waitFor } from '../security/support/spawn-cli.js';

const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: 'media-secret' };
const uasAnswer = new URL('../interop/sipp/uas-answer.xml', import.meta.url);

/** SIPp as the callee: it answers every call with SDP; it sends RTP only with -rtp_echo, and then back to where each packet came from. */
async function loadAgainstSipp(dir: string, sippArgs: string[], loadArgs: string[], calls: number): Promise<{ code: number; stderr: string; result: LoadResult }> {
  const port = await freeUdpPort();
  const sipp = runToEnd('sipp', [...sippArgs, '-i', '127.0.0.1', '-p', String(port), '-m', String(calls), '-nostdin', '-timeout', '40s'], { cwd: dir, timeoutMs: 45_000 });
  // SIPp answers once it is listening; an INVITE before that is retransmitted (Timer A) anyway.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const json = join(dir, 'result.json');
  const target = `127.0.0.1:${port}`;
  const out = await runCli(['load', '--proxy', target, '--callee-uri', `sip:uas@${target}`, '--accounts', 'u{001..010}@lab.test', '--calls', String(calls), '--json', json, ...loadArgs], { env });
  await sipp;
  return { code: out.code, stderr: out.stderr, result: JSON.parse(readFileSync(json, 'utf8')) as LoadResult };
}

describe('sipbots load --media against SIPp as the callee', () => {
  beforeAll(() => {
    requireTool('sipp', ['-v'], 'sip-tester');
    buildCli();
  }, 120_000);

  it('a callee that answers but never sends: every call is one-way audio, and the threshold says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-sipp-'));
    const mediaPort = await freeUdpPort();
    const { code, stderr, result } = await loadAgainstSipp(dir, ['-sn', 'uas', '-mp', String(mediaPort)], ['--rate', '10', '--hold', '1', '--media', 'rtp', '--threshold', 'one_way_audio==0'], 5);
    expect(result.counters).toMatchObject({ attempted: 5, succeeded: 5 });
    // Our callers sent their tone all along, and heard nothing back.
    expect(result.media!.counters).toMatchObject({ calls: 5, oneWay: 5, twoWay: 0, streams: 5, silentStreams: 5 });
    expect(result.media!.counters.packetsSent).toBeGreaterThan(5 * 10);
    expect(code).toBe(1);
    expect(stderr).toContain('one_way_audio==0 (actual 5)');
  }, 60_000);

  it('sipbots relay --loss on the media path: the loss sipbots measures is the loss the relay reports (within 1 pp)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-relay-'));
    const echoPort = await freeUdpPort();
    // The relay drops 10 % of what goes towards SIPp's echo port, nothing on the way back.
    const relay = spawnCli(['relay', '--target', `127.0.0.1:${echoPort}`, '--loss', '10%/0%', '--seed', '7']);
    expect(await waitFor(() => /relay udp 127\.0\.0\.1:\d+/.test(relay.stdout()), 15_000), relay.stderr()).toBe(true);
    const relayPort = /relay udp 127\.0\.0\.1:(\d+)/.exec(relay.stdout())![1]!;
    // SIPp's answer names the relay as where to send RTP; SIPp itself echoes on echoPort, back to each packet's source (the relay).
    writeFileSync(join(dir, 'uas-relay.xml'), readFileSync(uasAnswer, 'utf8').replace('m=audio [media_port] RTP/AVP 0', `m=audio ${relayPort} RTP/AVP 0`));
    try {
      const { code, stderr, result } = await loadAgainstSipp(dir, ['-sf', 'uas-relay.xml', '-mi', '127.0.0.1', '-mp', String(echoPort), '-rtp_echo'], ['--rate', '10', '--hold', '2', '--media', 'echo'], 8);
      expect(code, stderr).toBe(0);
      relay.child.kill('SIGINT');
      await relay.exit;
      const toTarget = /to target +received (\d+), forwarded (\d+), dropped (\d+)/.exec(relay.stdout());
      expect(toTarget, relay.stdout()).not.toBeNull();
      const [received, dropped] = [Number(toTarget![1]), Number(toTarget![3])];
      const m = result.media!;
      // Every packet the callers sent reached the relay.
      expect(received).toBe(m.counters.packetsSent);
      const relayLossPercent = (100 * dropped) / received;
      expect(relayLossPercent).toBeGreaterThan(5);
      expect(Math.abs(m.lossPercent - relayLossPercent), `sipbots ${m.lossPercent} %, relay ${relayLossPercent} %`).toBeLessThanOrEqual(1);
      // A lossy echo is still each caller's own tone.
      expect(m.counters).toMatchObject({ calls: 8, twoWay: 8, oneWay: 0 });
    } finally {
      relay.child.kill('SIGKILL');
    }
  }, 90_000);
});
