/**
 * Media under load: `sipbots load --media rtp` at rising concurrency (the built CLI, as a user
 * runs it, the signaling and the media path in one command), every call a G.711 tone both ways
 * for --hold seconds. Three paths, one JSON object per step:
 *
 *   proxy      through the embedded proxy (media goes straight between the two sipbots legs);
 *   rtpengine  through Kamailio + rtpengine (scripts/peers/kamailio.sh, KAMAILIO_RTPENGINE=1):
 *              every SDP rewritten to the relay, which forwards both directions in userspace;
 *   sipp       side by side with SIPp at the same concurrency and the same callee, a SIPp
 *              -rtp_echo UAS: sipbots (--media echo: each caller must hear its own tone back)
 *              and a SIPp caller streaming the same G.711 audio (`<exec rtp_stream>` of a PCMU
 *              WAV). tcpdump on lo records every packet sent to the echo port, and both tools'
 *              send intervals are measured there the same way (|interval − 20 ms| per SSRC).
 *
 *   npm run build && npx tsx bench/media-load.ts [--steps 100,200,300,500] [--hold 10] [--paths proxy,rtpengine,sipp] [--workers N] [--runs 3]
 *   (tcpdump on lo needs root or CAP_NET_RAW; Kamailio, rtpengine, SIPp and tcpdump come from scripts/peers/install.sh)
 *
 * --workers (default: the machine's cores, `os.availableParallelism()`) is passed to every
 * sipbots load: each worker thread holds both sides of its own calls, media included, so a
 * 2-core machine sends from two event loops. The SIPp side by side runs the same.
 *
 * A step is within limits when every call was judged, none one-way or silent, loss < 0.1 % and
 * the sender's send-interval jitter p99 (|interval − 20 ms|, sipbots' send_jitter) < 5 ms.
 * `packetsPerSecondSent` is every packet sent divided by --hold (each call sends 2 × 50 packets
 * a second for --hold seconds: 100 × calls when the senders kept up); `framesSkipped` counts
 * the 20 ms frames a late sender covered with one packet after a stall (pacer.ts), and
 * `sentOfFramesPercent` is sent / (sent + skipped).
 * Calls arrive over 2 s and are held for --hold s. CPU is the whole caller process's (bash
 * `time`: start-up included; for sipbots that is both call sides and, on the proxy path, the
 * proxy too), per call; `loadCpuMsPerCall` is sipbots' own --json figure (the load alone).
 * The machine may be shared: each step prints the 1-minute load average.
 *
 * --runs (default 3): each step is run that many times and judged on the medians (one line per
 * run, then a `median` line): on this 2-core machine one run's send-interval p99 at 500 calls
 * ranged from 2.6 to 11.5 ms. The SIPp side by side alternates the two tools run by run.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, getPriority, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult } from '../src/load/results/load-result.js';
import { median } from './support/bench-process.js';
import { cpuOf, repo, startKamailioWithRtpengine, startSippEcho, startTcpdump, timed, freePort, wireIntervals, writeSippCaller, type WireIntervals } from './support/media-load-tools.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '100,200,300,500' }, hold: { type: 'string', default: '10' }, paths: { type: 'string', default: 'proxy,rtpengine,sipp' }, workers: { type: 'string', default: String(availableParallelism()) }, runs: { type: 'string', default: '3' } } });
const steps = values.steps.split(',').map(Number);
const hold = Number(values.hold);
const paths = values.paths.split(',');
const workers = Number(values.workers);
const runs = Number(values.runs);
if (!(Number.isInteger(runs) && runs > 0)) throw new RangeError(`--runs must be a positive integer, got ${values.runs}`);
if (steps.some((n) => !(Number.isInteger(n) && n > 0)) || !(hold >= 1)) throw new RangeError(`--steps must be positive integers and --hold at least 1 s, got ${values.steps} and ${values.hold}`);
if (!(Number.isInteger(workers) && workers > 0)) throw new RangeError(`--workers must be a positive integer, got ${values.workers}`);
if (paths.some((p) => !['proxy', 'rtpengine', 'sipp'].includes(p))) throw new RangeError(`--paths: proxy, rtpengine, sipp; got ${values.paths}`);

const bin = join(repo, 'bin/sipbots.js');
const dir = mkdtempSync(join(tmpdir(), 'sipbots-bench-media-load-'));
const limits = { oneWayAudio: 0, lossPercent: 0.1, sendJitterP99Ms: 5 };
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;
const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

interface SipbotsStep {
  path: string;
  concurrentCalls: number;
  /** sipbots exited 3: the callee or proxy stopped answering during the step. */
  serverStopped?: string;
  packetsPerSecondSent: number;
  framesSkipped: number;
  sentOfFramesPercent: number;
  calls: number;
  twoWay: number;
  oneWay: number;
  noAudio: number;
  failedCalls: number;
  lossPercent: number;
  sendJitterP50Ms: number;
  sendJitterP99Ms: number;
  rtpJitterP99Ms: number;
  mosP5: number;
  cpuMsPerCall: number;
  loadCpuMsPerCall: number;
  loadAverage1m: number;
  withinLimits: boolean;
}

let sipbotsRuns = 0;

/** One `sipbots load --media` run; `target` is the proxy (and callee) arguments. */
async function sipbots(path: string, concurrent: number, target: string[], media: 'rtp' | 'echo'): Promise<SipbotsStep> {
  const json = join(dir, `${path}-${concurrent}-${++sipbotsRuns}.json`);
  const args = ['load', ...target, '--calls', String(concurrent), '--rate', String(concurrent / 2), '--hold', String(hold), '--media', media, '--workers', String(workers), '--json', json];
  // bin/sipbots.js run as the `sipbots` a user runs: through its shebang, with its V8 flags.
  const run = await timed([bin, ...args], { cwd: dir, env: { SIPBOTS_PASSWORD: 'load-secret' }, killAfterS: hold + 60 });
  if (run.code !== 0 && run.code !== 1 && run.code !== 3) throw new Error(`sipbots ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(-2000)}`);
  const r = JSON.parse(readFileSync(json, 'utf8')) as LoadResult;
  const m = r.media!;
  const c = m.counters;
  const step: SipbotsStep = {
    path,
    concurrentCalls: concurrent,
    ...(r.serverStopped ? { serverStopped: r.serverStopped.message } : {}),
    packetsPerSecondSent: Math.round(c.packetsSent / hold),
    framesSkipped: c.framesSkipped,
    sentOfFramesPercent: round((100 * c.packetsSent) / (c.packetsSent + c.framesSkipped || 1), 3),
    calls: c.calls,
    twoWay: c.twoWay,
    oneWay: c.oneWay,
    noAudio: c.noAudio,
    failedCalls: r.counters.failed,
    lossPercent: m.lossPercent,
    sendJitterP50Ms: m.summaries.send_jitter.p50,
    sendJitterP99Ms: m.summaries.send_jitter.p99,
    rtpJitterP99Ms: m.summaries.rtp_jitter.p99,
    mosP5: m.summaries.mos.p5,
    cpuMsPerCall: Math.round((run.cpuS * 1000) / concurrent),
    loadCpuMsPerCall: Math.round(((r.cpu.userS + r.cpu.systemS) * 1000) / concurrent),
    loadAverage1m: round(loadavg()[0]!),
    withinLimits: false,
  };
  return { ...step, withinLimits: isWithinLimits(step) };
}

/** Every call judged, none one-way or silent, loss and send-interval p99 under the limits. */
function isWithinLimits(step: SipbotsStep): boolean {
  return step.calls === step.concurrentCalls && step.oneWay + step.noAudio <= limits.oneWayAudio && step.lossPercent < limits.lossPercent && step.sendJitterP99Ms < limits.sendJitterP99Ms;
}

/** Each numeric field's median over the runs (the other fields as in the first run). */
function medians<T extends object>(of: readonly T[]): T {
  return Object.fromEntries(Object.entries(of[0]!).map(([key, value]) => [key, typeof value === 'number' ? median(of.map((r) => Number(r[key as keyof T]))) : value])) as T;
}

/** A step's runs as one: the medians, within limits when the medians are. */
function medianStep<T extends SipbotsStep>(of: readonly T[]): T & { runs: number; runsWithinLimits: number } {
  const step = medians(of);
  return { ...step, withinLimits: isWithinLimits(step), runs: of.length, runsWithinLimits: of.filter((r) => r.withinLimits).length };
}

/** `runs` runs of one step, each printed, then their medians (printed, and returned). */
async function runStep(once: (run: number) => Promise<SipbotsStep>): Promise<SipbotsStep> {
  const all: SipbotsStep[] = [];
  for (let run = 1; run <= runs; run++) all.push(await once(run));
  const result = medianStep(all);
  print({ median: true, ...result });
  return result;
}

function highest(path: string, results: SipbotsStep[]): void {
  const held = results.filter((r) => r.withinLimits);
  print({ path, holdS: hold, limits, highestConcurrencyWithinLimits: held.length > 0 ? Math.max(...held.map((r) => r.concurrentCalls)) : 0 });
}

async function proxyPath(): Promise<void> {
  const results: SipbotsStep[] = [];
  for (const n of steps) {
    const result = await runStep(async (run) => {
      const one = await sipbots('proxy', n, ['--embedded-proxy', '--accounts', `u{1..${2 * n}}@lab.test`], 'rtp');
      print({ run, ...one });
      return one;
    });
    results.push(result);
  }
  highest('proxy', results);
}

async function rtpenginePath(): Promise<void> {
  // 4 relay ports a call, with room to spare for the largest step.
  const kamailio = await startKamailioWithRtpengine(mkdtempSync(join(dir, 'kamailio-')), Math.min(12000, 4 * Math.max(...steps) + 2000));
  try {
    const results: SipbotsStep[] = [];
    for (const n of steps) {
      const result = await runStep(async (run) => {
        const before = cpuOf(kamailio.rtpenginePid);
        const one = await sipbots('rtpengine', n, ['--proxy', `127.0.0.1:${kamailio.port}`, '--accounts', 'u{0001..0200}@lab.test'], 'rtp');
        print({ run, ...one, rtpengineCpuMsPerCall: Math.round(((cpuOf(kamailio.rtpenginePid) - before) * 1000) / n) });
        return one;
      });
      results.push(result);
    }
    highest('rtpengine', results);
  } finally {
    await kamailio.stop();
  }
}

/** A tcpdump of everything sent to the echo port while `work` runs, and the send intervals in it. */
async function onTheWire<T>(name: string, mediaPort: number, work: () => Promise<T>): Promise<{ result: T; wire: WireIntervals & { dropped: number } }> {
  const file = join(dir, `${name}.pcap`);
  const tcpdump = await startTcpdump(file, mediaPort);
  let stopped: { dropped: number } | undefined;
  try {
    const result = await work();
    stopped = await tcpdump.stop();
    return { result, wire: { ...wireIntervals(file), dropped: stopped.dropped } };
  } finally {
    if (!stopped) await tcpdump.stop();
  }
}

interface SippSide {
  exitCode: number | null;
  successfulCalls: number;
  cpuMsPerCall: number;
  wireSendJitterP50Ms: number;
  wireSendJitterP99Ms: number;
  wirePackets: number;
  wireStreams: number;
  tcpdumpDropped: number;
  loadAverage1m: number;
}

type SipbotsOnTheWire = SipbotsStep & { wireSendJitterP50Ms: number; wireSendJitterP99Ms: number; wirePackets: number; wireStreams: number; tcpdumpDropped: number };

/** sipbots (--media echo) against a fresh SIPp echo UAS, every packet it sent captured on the wire. */
async function sipbotsAgainstEcho(n: number): Promise<SipbotsOnTheWire> {
  // A fresh callee per run: calls a previous run left behind must not weigh on this one.
  const echo = await startSippEcho(dir);
  try {
    const target = `127.0.0.1:${echo.port}`;
    const ours = await onTheWire(`sipbots-${n}`, echo.mediaPort, () => sipbots('sipp-echo', n, ['--proxy', target, '--callee-uri', `sip:uas@${target}`, '--accounts', `u{1..${n}}@lab.test`], 'echo'));
    return { ...ours.result, wireSendJitterP50Ms: ours.wire.p50Ms, wireSendJitterP99Ms: ours.wire.p99Ms, wirePackets: ours.wire.packets, wireStreams: ours.wire.streams, tcpdumpDropped: ours.wire.dropped };
  } finally {
    await echo.stop();
  }
}

/** A SIPp caller streaming the same PCMU (rtp_stream) against a fresh SIPp echo UAS, captured the same way. */
async function sippAgainstEcho(scenario: string, n: number): Promise<SippSide> {
  const echo = await startSippEcho(dir);
  try {
    const target = `127.0.0.1:${echo.port}`;
    const [port, controlPort] = [await freePort(), await freePort()];
    const sippArgs = ['sipp', '-sf', scenario, target, '-s', 'uas', '-i', '127.0.0.1', '-p', String(port), '-ci', '127.0.0.1', '-cp', String(controlPort), '-mi', '127.0.0.1'];
    sippArgs.push('-m', String(n), '-l', String(n), '-r', String(n / 2), '-d', String(hold * 1000), '-nostdin', '-timeout', `${hold + 40}s`);
    const theirs = await onTheWire(`sipp-${n}`, echo.mediaPort, () => timed(sippArgs, { cwd: dir, killAfterS: hold + 60 }));
    return {
      exitCode: theirs.result.code,
      successfulCalls: Number(/Successful call\s*\|[^|]*\|\s*(\d+)/.exec(theirs.result.stdout)?.[1] ?? Number.NaN),
      cpuMsPerCall: Math.round((theirs.result.cpuS * 1000) / n),
      wireSendJitterP50Ms: theirs.wire.p50Ms,
      wireSendJitterP99Ms: theirs.wire.p99Ms,
      wirePackets: theirs.wire.packets,
      wireStreams: theirs.wire.streams,
      tcpdumpDropped: theirs.wire.dropped,
      loadAverage1m: round(loadavg()[0]!),
    };
  } finally {
    await echo.stop();
  }
}

/** Side by side at each step: `runs` alternating runs (sipbots first on odd runs, SIPp first on even), then medians and ratios. */
async function sippPath(): Promise<void> {
  const scenario = writeSippCaller(dir);
  for (const n of steps) {
    const ours: SipbotsOnTheWire[] = [];
    const theirs: SippSide[] = [];
    for (let run = 1; run <= runs; run++) {
      for (const tool of run % 2 === 1 ? ['sipbots', 'sipp'] : ['sipp', 'sipbots']) {
        if (tool === 'sipbots') ours.push(await sipbotsAgainstEcho(n));
        else theirs.push(await sippAgainstEcho(scenario, n));
      }
      print({ path: 'sipp-side-by-side', run, concurrentCalls: n, sipbots: ours[ours.length - 1], sipp: theirs[theirs.length - 1] });
    }
    const sipbots = medianStep(ours);
    const sipp = medians(theirs);
    print({ path: 'sipp-side-by-side', median: true, runs, concurrentCalls: n, sipbots, sipp, ratioCpuPerCall: round(sipbots.cpuMsPerCall / sipp.cpuMsPerCall) });
  }
}

print({ bench: 'media-load', steps, holdS: hold, paths, workers, niceness: getPriority(), loadAverage: loadavg().map((l) => round(l)) });
if (paths.includes('proxy')) await proxyPath();
if (paths.includes('rtpengine')) await rtpenginePath();
if (paths.includes('sipp')) await sippPath();
