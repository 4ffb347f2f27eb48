import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { decodeHistogram } from '../../src/load/results/histograms.js';
import { runCli } from '../support/run-cli.js';
import { buildCli, spawnCli } from '../security/support/spawn-cli.js';

const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: 'media-secret' };
const embedded = (calls: number, accounts = 2 * calls): string[] => ['load', '--embedded-proxy', '--accounts', `u{001..${String(accounts).padStart(3, '0')}}@lab.test`, '--calls', String(calls)];

function readResult(file: string): LoadResult {
  return JSON.parse(readFileSync(file, 'utf8')) as LoadResult;
}

/** Every judged call has exactly one verdict; every direction is counted once; the histograms hold the directions that arrived. */
function expectMediaAddsUp(r: LoadResult): void {
  const m = r.media!;
  const c = m.counters;
  expect(c.twoWay + c.oneWay + c.noAudio).toBe(c.calls);
  for (const name of ['rtp_loss', 'rtp_jitter', 'mos'] as const) {
    expect(m.summaries[name].count).toBe(c.streams - c.silentStreams);
    expect(decodeHistogram(m.histograms[name]).totalCount).toBe(c.streams - c.silentStreams);
  }
  expect(c.packetsReceived + c.packetsLost).toBe(c.packetsExpected);
}

describe('sipbots load --media rtp over the embedded proxy', () => {
  it('50 calls send a tone both ways: one verdict per call, they add up, and the thresholds judge as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-'));
    const json = join(dir, 'result.json');
    const junit = join(dir, 'junit.xml');
    const thresholds = ['mos_p5>4.0', 'one_way_audio==0', 'rtp_loss<0.5%', 'rtp_jitter_p99<200ms', 'mos_p5>4.5', 'two_way_audio<100%'];
    const out = await runCli([...embedded(50), '--rate', '50', '--hold', '1', '--media', 'rtp', '--json', json, '--junit', junit, '--threshold', ...thresholds], { env });
    // G.711 without loss scores 4.4 at best (E-model R 93.2): mos_p5>4.5 must fail, and so must "fewer than all calls two-way".
    expect(out.code, out.stderr).toBe(1);
    expect(out.stderr).toContain('thresholds failed: mos_p5>4.5');
    const r = readResult(json);
    expect(r.counters).toMatchObject({ attempted: 50, succeeded: 50, failed: 0 });
    expect(r.media!.counters).toMatchObject({ calls: 50, twoWay: 50, oneWay: 0, noAudio: 0, streams: 100, silentStreams: 0, wrongTone: 0, portsExhausted: 0 });
    expectMediaAddsUp(r);
    // The pacer's precision: one |interval − 20 ms| per packet after each stream's first.
    const c = r.media!.counters;
    expect(r.media!.summaries.send_jitter.count).toBe(c.packetsSent - c.streams);
    expect(out.stdout).toMatch(/send jitter \(ms\) +\d+ /);
    expect(r.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['mos_p5>4.0', true],
      ['one_way_audio==0', true],
      ['rtp_loss<0.5%', true],
      ['rtp_jitter_p99<200ms', true],
      ['mos_p5>4.5', false],
      ['two_way_audio<100%', false],
    ]);
    expect(r.thresholds.find((t) => t.expression === 'two_way_audio<100%')).toMatchObject({ actual: 100, unit: '%' });
    expect(out.stdout).toMatch(/media 2-way \d+ 1-way 0 none 0/);
    expect(out.stdout).toMatch(/media {6}calls judged 50 {2}two-way 50 {2}one-way 0 {2}no audio 0/);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8')).testsuite;
    expect(suite.failures).toBe('2');
    const properties = Object.fromEntries((suite.properties.property as { name: string; value: string }[]).map((p) => [p.name, p.value]));
    expect(properties).toMatchObject({ 'media-calls': '50', 'one-way-audio': '0', 'no-audio': '0' });
  }, 60_000);

  it('reuses a bounded pool of port pairs, and says so clearly when it is exhausted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-'));
    // Below the ephemeral range (32768+), so the OS hands none of these to anyone else by chance.
    const low = 20000 + 2 * Math.floor(Math.random() * 5000);
    const reuse = join(dir, 'reuse.json');
    // 4 pairs, 2 calls at a time: every call finds a pair released by an earlier one.
    const ok = await runCli([...embedded(8), '--rate', '20', '--concurrency', '2', '--hold', '0.5', '--media', 'rtp', '--rtp-ports', `${low}-${low + 7}`, '--json', reuse], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readResult(reuse).media!.counters).toMatchObject({ calls: 8, twoWay: 8, strayPackets: 0, portsExhausted: 0 });
    const tight = join(dir, 'tight.json');
    // 2 pairs, 4 calls at once: one call fits, the others find the pool empty.
    const out = await runCli([...embedded(4), '--rate', '50', '--hold', '0.5', '--media', 'rtp', '--rtp-ports', `${low}-${low + 3}`, '--json', tight], { env });
    const r = readResult(tight);
    expect(r.counters.attempted).toBe(r.counters.succeeded + r.counters.failed);
    expect(r.media!.counters.portsExhausted).toBeGreaterThan(0);
    expect(r.counters.failed).toBeGreaterThan(0);
    const reasons = Object.keys(r.counters.failures);
    // A caller without a pair fails with the reason; our callee without one answers 503.
    expect(reasons.every((reason) => reason === 'INVITE 503' || reason.startsWith(`media: all 2 RTP/RTCP port pairs of --rtp-ports ${low}-${low + 3} on 127.0.0.1 are in use`)), reasons.join()).toBe(true);
    expect(r.media!.counters.twoWay).toBe(r.counters.succeeded);
    expect(out.code).toBe(0);
  }, 60_000);

  it('refuses media options that cannot work, all at once, before sending anything', async () => {
    const out = await runCli([...embedded(4), '--rate', '10', '--hold', '0.1', '--media', 'echo', '--rtp-ports', '40000-40001', '--threshold', 'rtp_loss<0.5', 'mos_p5>4ms'], { env });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--media echo is for a callee that echoes RTP');
    expect(out.stderr).toContain('give --hold 0.5 or more');
    expect(out.stderr).toContain('--rtp-ports 40000-40001 holds 1 RTP/RTCP pairs');
    expect(out.stderr).toContain('rtp_loss is a percentage');
    expect(out.stderr).toContain('MOS has no unit');
    const plain = await runCli([...embedded(4), '--rate', '10', '--threshold', 'one_way_audio==0'], { env });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--threshold one_way_audio==0: a media metric needs --media rtp');
  });
});

describe('sipbots load --media rtp --workers 2', () => {
  beforeAll(() => buildCli(), 120_000);

  it('each worker judges its own calls; the merged result holds every call and every histogram sample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-'));
    const json = join(dir, 'result.json');
    const cli = spawnCli([...embedded(20), '--rate', '20', '--hold', '0.5', '--media', 'rtp', '--workers', '2', '--json', json, '--threshold', 'one_way_audio==0'], { env });
    const exit = await cli.exit;
    expect(exit.code, cli.stderr()).toBe(0);
    const r = readResult(json);
    expect(r.workers).toBe(2);
    expect(r.media!.counters).toMatchObject({ calls: 20, twoWay: 20, streams: 40 });
    expectMediaAddsUp(r);
  }, 120_000);
});
