// `node --import ./report-rss.mjs ...`: on exit, writes the process's peak RSS (kB) to the file
// named by SIPBOTS_BENCH_RSS, so bench/startup.ts can read it for any command it starts.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.SIPBOTS_BENCH_RSS) writeFileSync(process.env.SIPBOTS_BENCH_RSS, String(process.resourceUsage().maxRSS));
});
