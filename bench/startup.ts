/**
 * Start-up cost of the sipbots binary: wall time (spawn to exit) and peak RSS of `--version`,
 * `--help`, `lab --help` and an idle `load` (the embedded proxy, 10 accounts registered, one
 * OPTIONS ping, then exit), each the median of ROUNDS runs, beside bare `node -e 0` for scale.
 * Prints one JSON line per command. Run after `npm run build`: npm run bench:startup
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.ROUNDS ?? 11);
const bin = fileURLToPath(new URL('../bin/sipbots.js', import.meta.url));
const reportRss = fileURLToPath(new URL('./support/report-rss.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sipbots-startup-'));

const COMMANDS: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: '--version', args: [bin, '--version'] },
  { name: '--help', args: [bin, '--help'] },
  { name: 'lab --help', args: [bin, 'lab', '--help'] },
  { name: 'idle load', args: [bin, 'load', '--embedded-proxy', '--accounts', 'u{001..010}@lab.test', '--password', 'x', '--scenario', 'options', '--calls', '1', '--rate', '10'] },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

for (const { name, args } of COMMANDS) {
  const ms: number[] = [];
  const rssMb: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rssFile = join(dir, `rss-${round}`);
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['--import', reportRss, ...args], { cwd: dir, env: { ...process.env, SIPBOTS_BENCH_RSS: rssFile }, stdio: ['ignore', 'ignore', 'pipe'] });
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr.toString()}`);
    rssMb.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
  }
  console.log(JSON.stringify({ command: name, rounds: ROUNDS, medianMs: Math.round(median(ms)), minMs: Math.round(Math.min(...ms)), medianRssMb: Math.round(median(rssMb) * 10) / 10 }));
}
