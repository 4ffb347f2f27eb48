/**
 * The media plane of `sipbots load --media rtp` alone, in this one thread: N calls' MediaLegs
 * (caller and callee, as LoadMedia opens them) sending to each other on loopback from the shared
 * pacer, no signaling, no workers. Prints CPU per packet (each packet is sent and received
 * here, so the figure covers both) and the send-interval jitter over `--seconds` of steady state.
 *
 * `--floor`: the same number of socket pairs on the same pacer, each stream sending a fixed
 * 172-byte datagram and receiving into an empty 'message' listener: what Node's dgram and the
 * kernel cost per packet before any sipbots code runs (RTP header, statistics, verdict).
 *
 *   npx tsx bench/support/media-plane-probe.ts [--calls 150] [--seconds 6] [--floor]
 *
 * For A/B comparisons on a shared machine: run before/after alternately and compare medians;
 * CPU per packet is far steadier than jitter when other processes take the cores.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sharedPacer } from '../../src/media/pacer.js';
import { LoadMedia } from '../../src/load/media/load-media.js';
import type { MediaLeg } from '../../src/load/media/media-leg.js';
import { RtpPortPool, type PooledPair } from '../../src/load/media/port-pool.js';
import { MediaStats } from '../../src/load/results/media-stats.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '150' }, seconds: { type: 'string', default: '6' }, floor: { type: 'boolean', default: false } } });
const calls = Number(values.calls);
const seconds = Number(values.seconds);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `steady` ms of traffic after a 1 s warm-up; returns the packets sent in that window and the CPU it took. */
async function measure(sentSoFar: () => number): Promise<{ sent: number; cpuUs: NodeJS.CpuUsage; wallMs: number }> {
  await sleep(1000);
  const before = sentSoFar();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await sleep(seconds * 1000);
  return { sent: sentSoFar() - before, cpuUs: process.cpuUsage(cpu), wallMs: performance.now() - started };
}

function print(mode: string, run: { sent: number; cpuUs: NodeJS.CpuUsage; wallMs: number }, extra: object): void {
  const { sent, cpuUs, wallMs } = run;
  const per = (us: number): number => Math.round((100 * us) / sent) / 100;
  const line = { mode, calls, seconds, sent, framesDue: Math.round((2 * calls * wallMs) / 20), cpuPercent: Math.round((cpuUs.user + cpuUs.system) / (10 * wallMs)), usPerPacket: per(cpuUs.user + cpuUs.system), userUsPerPacket: per(cpuUs.user), systemUsPerPacket: per(cpuUs.system), ...extra, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function mediaPlane(): Promise<void> {
  const stats = new MediaStats();
  const media = new LoadMedia({ kind: 'rtp', maxPairs: 2 * calls + 10 }, '127.0.0.1', stats, true, Math.random, () => performance.now());
  const legs: [MediaLeg, MediaLeg][] = [];
  for (let i = 0; i < calls; i++) legs.push([await media.open(`probe-${i}`, 'caller'), await media.open(`probe-${i}`, 'callee')]);
  for (const [caller, callee] of legs) {
    callee.start({ address: '127.0.0.1', port: caller.port });
    caller.start({ address: '127.0.0.1', port: callee.port });
  }
  // MediaLeg counts what it sent only for its verdict; the histogram counts every send after a stream's first.
  const jitter = stats.histograms.send_jitter;
  const run = await measure(() => jitter.totalCount);
  const p = (q: number): number => jitter.getValueAtPercentile(q) / 100;
  const extra = { sendJitterP50Ms: p(50), sendJitterP99Ms: p(99), sendJitterMaxMs: jitter.maxValue / 100 };
  for (const [caller, callee] of legs) {
    media.finish(caller);
    media.finish(callee);
  }
  await media.close();
  const c = stats.counters;
  print('media-plane', run, { ...extra, calls: c.calls, twoWay: c.twoWay, packetsLost: c.packetsLost });
}

async function floor(): Promise<void> {
  const pool = new RtpPortPool({ address: '127.0.0.1', maxPairs: 2 * calls + 10 });
  const pairs: PooledPair[] = [];
  for (let i = 0; i < 2 * calls; i++) pairs.push(await pool.acquire());
  let sent = 0;
  const packet = Buffer.alloc(172, 0x55);
  const unregister = pairs.map((pair, i) => {
    pair.onRtp = () => undefined;
    const peer = pairs[i ^ 1]!;
    return sharedPacer().register({
      tick: () => {
        sent++;
        pair.rtp.send(packet, peer.port, '127.0.0.1');
      },
    });
  });
  const run = await measure(() => sent);
  for (const off of unregister) off();
  await pool.close();
  print('dgram-floor', run, {});
}

await (values.floor ? floor() : mediaPlane());
