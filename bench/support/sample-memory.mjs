// `node --import ./sample-memory.mjs ...`: appends one JSON line of process.memoryUsage() (bytes)
// every SIPBOTS_BENCH_MEMORY_EVERY_MS (10 s) and one at exit to the file SIPBOTS_BENCH_MEMORY,
// so bench/load-memory.ts can read RSS and heap figures of a `sipbots load` it started.
import { appendFileSync } from 'node:fs';

const file = process.env.SIPBOTS_BENCH_MEMORY;
if (file) {
  const start = performance.now();
  const sample = (phase) => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: Math.round((performance.now() - start) / 1000), phase, rss, heapUsed, heapTotal, external, arrayBuffers, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  };
  setInterval(() => sample('run'), Number(process.env.SIPBOTS_BENCH_MEMORY_EVERY_MS ?? 10_000)).unref();
  process.on('exit', () => sample('exit'));
}
