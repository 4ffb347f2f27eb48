/**
 * Media-plane load bench: N calls = N pairs of RtpSessions on loopback, each sending a tone
 * both ways through the one shared pacer. Prints one JSON object: packet rate, CPU, RSS,
 * send-interval jitter (|interval − 20 ms| per stream, taken in the send path just before
 * socket.send, p50/p99), loss, GC pauses, the machine's load average and how often a busy
 * loop was descheduled before the run (the machine may be shared: a busy neighbour shows up as
 * jitter).
 *
 *   npx tsx bench/media.ts [--calls 200] [--seconds 10] [--slots 4]
 *
 * The bench itself must not add jitter: intervals go into a preallocated Float64Array, the
 * last send time per stream into another, and nothing heavier than a counter runs while
 * measuring (stats(), which runs tone detection, only after).
 */

import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pacer, sharedPacer } from '../src/media/pacer.js';
import { RtpSession } from '../src/media/rtp-session.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    slots: { type: 'string' },
  },
});
const calls = Number.parseInt(values.calls, 10);
const seconds = Number.parseFloat(values.seconds);
if (!(calls > 0) || !(seconds > 0)) throw new RangeError(`--calls and --seconds must be positive numbers, got ${values.calls} and ${values.seconds}`);
const slots = values.slots === undefined ? undefined : Number.parseInt(values.slots, 10);
if (slots !== undefined && !(slots >= 1)) throw new RangeError(`--slots must be a whole number ≥ 1, got ${values.slots}`);

/**
 * How often the OS took the CPU away from us, measured before anything else runs: a 1 s busy
 * loop that allocates nothing sees a gap only when the process was descheduled (other work
 * on a shared machine, vCPU steal). Send-interval jitter cannot be lower than this noise.
 */
function schedulerGaps(ms: number): { over1ms: number; over2ms: number; maxMs: number } {
  const start = performance.now();
  let previous = start;
  const gaps = { over1ms: 0, over2ms: 0, maxMs: 0 };
  for (let now = start; now - start < ms; now = performance.now()) {
    const gap = now - previous;
    if (gap > 1) gaps.over1ms++;
    if (gap > 2) gaps.over2ms++;
    if (gap > gaps.maxMs) gaps.maxMs = Math.round(gap * 1000) / 1000;
    previous = now;
  }
  return gaps;
}
const noiseBefore = schedulerGaps(1000);

const pacer = slots === undefined ? sharedPacer() : new Pacer({ slots });
const streams = calls * 2;
const lastSend = new Float64Array(streams).fill(Number.NaN);
// 50 packets/s per stream, plus headroom for the warm-up second and late stops.
const deviations = new Float64Array(Math.ceil(streams * 50 * (seconds + 2)));
let recorded = 0;
let sentWhileMeasuring = 0;
let measuring = false;

const gcPauses: number[] = [];
const gcObserver = new PerformanceObserver((list) => {
  if (measuring) for (const entry of list.getEntries()) gcPauses.push(entry.duration);
});
gcObserver.observe({ entryTypes: ['gc'] });

const sessions: RtpSession[] = [];
for (let i = 0; i < calls; i++) {
  const pair: RtpSession[] = [];
  for (const toneHz of [440, 1000]) {
    const stream = sessions.length + pair.length;
    const session: RtpSession = await RtpSession.open({
      pacer,
      toneHz,
      onPacket: (direction, _local, _remote, _bytes, rtcp) => {
        if (direction !== 'out' || rtcp) return;
        const now = performance.now();
        const previous = lastSend[stream] as number;
        if (measuring) {
          sentWhileMeasuring++;
          if (!Number.isNaN(previous) && recorded < deviations.length) deviations[recorded++] = Math.abs(now - previous - 20);
        }
        lastSend[stream] = now;
      },
    });
    pair.push(session);
  }
  const [a, b] = pair as [RtpSession, RtpSession];
  a.configure({ remote: b.local });
  b.configure({ remote: a.local });
  sessions.push(a, b);
}

// One second of warm-up (JIT, socket buffers), then measure.
for (const s of sessions) s.start();
await new Promise((resolve) => setTimeout(resolve, 1000));
const loadBefore = loadavg()[0] as number;
const stallsBefore = pacer.stallCount;
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
measuring = true;
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
measuring = false;
clearInterval(rssTimer);
const wallMs = performance.now() - wallBefore;
const cpu = process.cpuUsage(cpuBefore);
const stalls = pacer.stallCount - stallsBefore;
const loadAfter = loadavg()[0] as number;
gcObserver.disconnect();

const finals = await Promise.all(sessions.map((s) => s.close()));
// Packets still in flight when a session closed are not loss; count sequence gaps only.
const lost = finals.reduce((n, s) => n + s.received.lost, 0);
const sent = finals.reduce((n, s) => n + s.sent.packets, 0);
const received = finals.reduce((n, s) => n + s.received.packets, 0);
const detectedOk = finals.filter((s, i) => Math.abs((s.received.detectedHz ?? 0) - (i % 2 === 0 ? 1000 : 440)) <= 3).length;

const sorted = deviations.subarray(0, recorded).sort();
const pct = (values: ArrayLike<number>, p: number): number => Math.round((values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0) * 1000) / 1000;
gcPauses.sort((x, y) => x - y);
const result = {
  calls,
  streams,
  slots: slots ?? 'shared pacer',
  seconds: Math.round(wallMs) / 1000,
  packetsPerSecond: Math.round((sentWhileMeasuring / wallMs) * 1000),
  cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
  rssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1048576),
  sendIntervalJitterMs: { p50: pct(sorted, 50), p99: pct(sorted, 99), max: pct(sorted, 100), samples: recorded },
  stalls,
  gcPausesMs: { count: gcPauses.length, p50: pct(gcPauses, 50), max: pct(gcPauses, 100), total: Math.round(gcPauses.reduce((n, d) => n + d, 0)) },
  loadAverage1m: { before: loadBefore, after: loadAfter },
  schedulerGapsIn1sBusyLoop: noiseBefore,
  sent,
  received,
  lost,
  lossPercent: sent > 0 ? Math.round((lost / sent) * 1e5) / 1e3 : 0,
  toneDetected: `${detectedOk}/${finals.length}`,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
