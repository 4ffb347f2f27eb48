/**
 * Media under load: `sipbots load --media rtp` through the embedded proxy at rising concurrency,
 * every call a G.711 tone both ways for --hold seconds, the signaling and the media path in one
 * command (the built CLI, as a user runs it). Prints one JSON object per step, then the highest
 * step that held the limits: 0 one-way-audio calls, loss < 0.1 %, jitter p99 < 5 ms
 * (RFC 3550 interarrival jitter at the receivers: it includes the send-interval jitter).
 *
 *   npm run build && npx tsx bench/media-load.ts [--steps 50,100,200,400] [--hold 10]
 *
 * Each step runs `steps[i]` calls at once: they arrive over 2 s and are held for --hold s.
 * CPU is the load process's own (both call sides, the proxy and the media), per call and as a
 * share of one core over the run. The machine may be shared: the load average is printed with each step.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { LoadResult } from '../src/load/results/load-result.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '50,100,200,400' }, hold: { type: 'string', default: '10' } } });
const steps = values.steps.split(',').map(Number);
const hold = Number(values.hold);
if (steps.some((n) => !(Number.isInteger(n) && n > 0)) || !(hold >= 1)) throw new RangeError(`--steps must be positive integers and --hold at least 1 s, got ${values.steps} and ${values.hold}`);

const bin = resolve(new URL('..', import.meta.url).pathname, 'bin/sipbots.js');
const dir = mkdtempSync(join(tmpdir(), 'sipbots-bench-media-load-'));
const limits = { oneWayAudio: 0, lossPercent: 0.1, jitterP99Ms: 5 };

interface Step {
  concurrentCalls: number;
  packetsPerSecond: number;
  calls: number;
  twoWay: number;
  oneWay: number;
  noAudio: number;
  lossPercent: number;
  jitterP99Ms: number;
  mosP5: number;
  cpuMsPerCall: number;
  cpuPercentOfOneCore: number;
  setupP99Ms: number;
  loadAverage1m: number;
  withinLimits: boolean;
}

async function step(concurrent: number): Promise<Step> {
  const json = join(dir, `step-${concurrent}.json`);
  const rate = concurrent / 2;
  const args = ['load', '--embedded-proxy', '--accounts', `u{1..${2 * concurrent}}@lab.test`, '--password', 'bench', '--calls', String(concurrent), '--rate', String(rate), '--hold', String(hold), '--media', 'rtp', '--json', json];
  await promisify(execFile)(process.execPath, [bin, ...args], { maxBuffer: 64 << 20 }).catch((error: { code?: number }) => {
    if (error.code !== 1) throw error;
  });
  const r = JSON.parse(readFileSync(json, 'utf8')) as LoadResult;
  const m = r.media!;
  const cpuS = r.cpu.userS + r.cpu.systemS;
  const result: Step = {
    concurrentCalls: concurrent,
    packetsPerSecond: Math.round(m.counters.packetsSent / (r.runS || 1)),
    calls: m.counters.calls,
    twoWay: m.counters.twoWay,
    oneWay: m.counters.oneWay,
    noAudio: m.counters.noAudio,
    lossPercent: m.lossPercent,
    jitterP99Ms: m.summaries.rtp_jitter.p99,
    mosP5: m.summaries.mos.p5,
    cpuMsPerCall: Math.round((cpuS * 1000) / Math.max(1, m.counters.calls)),
    cpuPercentOfOneCore: Math.round((1000 * cpuS) / (r.runS || 1)) / 10,
    setupP99Ms: r.latency.setup_200!.p99_ms,
    loadAverage1m: loadavg()[0]!,
    withinLimits: m.counters.oneWay + m.counters.noAudio <= limits.oneWayAudio && m.lossPercent < limits.lossPercent && m.summaries.rtp_jitter.p99 < limits.jitterP99Ms && m.counters.calls === concurrent,
  };
  return result;
}

const results: Step[] = [];
for (const concurrent of steps) {
  const result = await step(concurrent);
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
const held = results.filter((r) => r.withinLimits);
process.stdout.write(
  `${JSON.stringify({ holdS: hold, limits, highestConcurrencyWithinLimits: held.length > 0 ? Math.max(...held.map((r) => r.concurrentCalls)) : 0, cpuMsPerCallRatioLastToFirst: results.length > 1 ? Math.round((100 * results.at(-1)!.cpuMsPerCall) / results[0]!.cpuMsPerCall) / 100 : 1 })}\n`,
);
