/**
 * Media-plane load bench: N calls = N pairs of RtpSessions on loopback, each sending a tone
 * both ways through the one shared pacer. Prints one JSON object: packet rate, CPU, RSS,
 * send-interval jitter (|interval − 20 ms| per stream, p50/p99) and loss.
 *
 *   npx tsx bench/media.ts [--calls 200] [--seconds 10]
 */

import { parseArgs } from 'node:util';
import { sharedPacer } from '../src/media/pacer.js';
import { RtpSession } from '../src/media/rtp-session.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
  },
});
const calls = Number.parseInt(values.calls, 10);
const seconds = Number.parseFloat(values.seconds);
if (!(calls > 0) || !(seconds > 0)) throw new RangeError(`--calls and --seconds must be positive numbers, got ${values.calls} and ${values.seconds}`);

const pacer = sharedPacer();
const lastSend = new Map<number, number>();
const deviations: number[] = [];
let measuring = false;

const sessions: RtpSession[] = [];
for (let i = 0; i < calls; i++) {
  const pair: RtpSession[] = [];
  for (const toneHz of [440, 1000]) {
    const session: RtpSession = await RtpSession.open({
      pacer,
      toneHz,
      onPacket: (direction, local, _remote, _bytes, rtcp) => {
        if (direction !== 'out' || rtcp) return;
        const now = performance.now();
        const previous = lastSend.get(local.port);
        if (measuring && previous !== undefined) deviations.push(Math.abs(now - previous - 20));
        lastSend.set(local.port, now);
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
const sentBefore = sessions.reduce((n, s) => n + s.stats().sent.packets, 0);
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
const sentDuring = sessions.reduce((n, s) => n + s.stats().sent.packets, 0) - sentBefore;

const finals = await Promise.all(sessions.map((s) => s.close()));
// Packets still in flight when a session closed are not loss; count sequence gaps only.
const lost = finals.reduce((n, s) => n + s.received.lost, 0);
const sent = finals.reduce((n, s) => n + s.sent.packets, 0);
const received = finals.reduce((n, s) => n + s.received.packets, 0);
const detectedOk = finals.filter((s, i) => Math.abs((s.received.detectedHz ?? 0) - (i % 2 === 0 ? 1000 : 440)) <= 3).length;

deviations.sort((x, y) => x - y);
const pct = (p: number): number => Math.round((deviations[Math.min(deviations.length - 1, Math.floor((p / 100) * deviations.length))] ?? 0) * 1000) / 1000;
const result = {
  calls,
  streams: sessions.length,
  seconds: Math.round(wallMs) / 1000,
  packetsPerSecond: Math.round((sentDuring / wallMs) * 1000),
  cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
  rssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1048576),
  sendIntervalJitterMs: { p50: pct(50), p99: pct(99), max: pct(100), samples: deviations.length },
  stalls: pacer.stallCount,
  sent,
  received,
  lost,
  lossPercent: sent > 0 ? Math.round((lost / sent) * 1e5) / 1e3 : 0,
  toneDetected: `${detectedOk}/${finals.length}`,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
