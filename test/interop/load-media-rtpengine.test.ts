import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { cleanupRuns, describeRun, readRunEvents, runSipbots } from './support/sipbots-cli.js';
import { runCli, type CliResult } from '../support/run-cli.js';

// Media through a real relay: Kamailio's rtpengine module (docker/kamailio/kamailio.cfg
// WITH_RTPENGINE) rewrites every SDP offer and answer to rtpengine's own ports, and rtpengine
// (userspace forwarding, started by scripts/peers/kamailio.sh) carries the RTP both ways.

const peers: KamailioPeer[] = [];

afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
  await cleanupRuns();
});

async function kamailioWith(rtpengine: 'relay' | 'block-caller'): Promise<KamailioPeer> {
  const peer = await startKamailio({ rtpengine });
  peers.push(peer);
  return peer;
}

/** The `m=audio` port of a message's SDP, if it has one. */
function audioPort(raw: string): number | undefined {
  const match = /\r\nm=audio (\d+) /.exec(raw);
  return match ? Number(match[1]) : undefined;
}

function inRange(port: number | undefined, [low, high]: [number, number]): boolean {
  return port !== undefined && port >= low && port <= high;
}

/** `sipbots load --media rtp` through Kamailio, in this process; `dir` holds --json (and --capture, if asked). */
async function load(kamailio: KamailioPeer, args: (dir: string) => string[]): Promise<{ result: LoadResult; run: CliResult; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sipbots-rtpengine-'));
  const json = join(dir, 'result.json');
  const run = await runCli(['load', '--proxy', `127.0.0.1:${kamailio.udpPort}`, '--accounts', 'u{0001..0040}@lab.test', '--password', 'load-secret', '--media', 'rtp', '--hold', '1.5', '--json', json, ...args(dir)]);
  return { result: JSON.parse(await readFile(json, 'utf8')) as LoadResult, run, dir };
}

describe('Kamailio + rtpengine on the media path', () => {
  it('the lab answer cases pass with every SDP rewritten to rtpengine\'s ports, and the bots hear each other through it', async () => {
    const kamailio = await kamailioWith('relay');
    const run = await runSipbots(['lab', '--server', `sip:127.0.0.1:${kamailio.udpPort}`, '--only', 'answer-bye-caller,answer-bye-callee', '--json'], { timeoutMs: 60_000 });
    expect(run.exitCode, describeRun(run)).toBe(0);
    for (const result of run.summary!.cases) expect(result.passed, `${result.id}: ${result.difference}`).toBe(true);
    const received = (await readRunEvents(run.runDir)).filter((e): e is SipMessageEvent => e.type === 'sip' && e.direction === 'in' && audioPort(e.raw) !== undefined);
    // Each INVITE reaches the callee, and each 200 the caller, with the relay's port instead of the other bot's.
    const invites = received.filter((e) => e.method === 'INVITE');
    const answers = received.filter((e) => e.status === 200);
    expect(invites.length).toBeGreaterThanOrEqual(2);
    expect(answers.length).toBeGreaterThanOrEqual(2);
    for (const e of [...invites, ...answers]) expect(inRange(audioPort(e.raw), kamailio.rtpengine!.ports), `${e.party}: ${e.startLine} m=audio ${audioPort(e.raw)}`).toBe(true);
  }, 90_000);

  it('a media load through it: every call two-way, the relay in every SDP, the thresholds hold', async () => {
    const kamailio = await kamailioWith('relay');
    const { result, run, dir } = await load(kamailio, (dir) => ['--calls', '20', '--rate', '10', '--capture', join(dir, 'capture'), '--threshold', 'one_way_audio==0', 'mos_p5>4.0', 'rtp_loss<1%']);
    expect(run.code, run.stderr).toBe(0);
    expect(result.counters).toMatchObject({ attempted: 20, succeeded: 20 });
    expect(result.media!.counters).toMatchObject({ calls: 20, twoWay: 20, oneWay: 0, noAudio: 0, streams: 40, silentStreams: 0 });
    const lines = (await readFile(join(dir, 'capture', 'messages.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { direction?: string; raw?: string });
    const rewritten = lines.filter((l) => l.direction === 'in' && l.raw !== undefined && audioPort(l.raw) !== undefined);
    // 20 INVITEs at the callees and 20 answers at the callers (retransmissions aside), all naming rtpengine.
    expect(rewritten.length).toBeGreaterThanOrEqual(40);
    for (const l of rewritten) expect(inRange(audioPort(l.raw!), kamailio.rtpengine!.ports), l.raw!.split('\r\n')[0]).toBe(true);
  }, 90_000);

  it('the relay drops what the callers send: every call is reported one-way, and the threshold fails', async () => {
    const kamailio = await kamailioWith('block-caller');
    const { result, run } = await load(kamailio, () => ['--calls', '8', '--rate', '8', '--threshold', 'one_way_audio==0']);
    expect(run.code, run.stderr).toBe(1);
    expect(result.counters).toMatchObject({ attempted: 8, succeeded: 8 });
    // The callers hear their callees; the callees hear nothing.
    expect(result.media!.counters).toMatchObject({ calls: 8, oneWay: 8, twoWay: 0, streams: 16, silentStreams: 8 });
    expect(run.stderr).toContain('one_way_audio==0 (actual 8)');
    const log = await readFile(kamailio.rtpengine!.logPath, 'utf8');
    expect(log).toContain('Blocking directional media');
  }, 90_000);
});
