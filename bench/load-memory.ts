/**
 * bench/load-memory.sh runs this with Kamailio up (KAMAILIO_PORT): `sipbots load --scenario
 * register` runs in a child process sampled by bench/support/sample-memory.mjs, and the figures
 * are printed (issue 17's memory targets).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const kamailioPort = Number(process.env.KAMAILIO_PORT);
const dir = process.env.LOAD_MEMORY_DIR ?? '/tmp';
if (!(kamailioPort > 0)) throw new Error('run through bench/load-memory.sh (KAMAILIO_PORT)');
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

interface Sample {
  t: number;
  phase: 'run' | 'exit';
  rss: number;
  heapUsed: number;
  maxRssKb: number;
}

interface Counters {
  attempted: number;
  succeeded: number;
  failed: number;
  retransmissions: number;
  failures: Record<string, number>;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
/** The V8 flags of bin/sipbots.js's shebang (what the `sipbots` binary runs with), given to node here beside ours. */
const shebangFlags = readFileSync(join(repo, 'bin/sipbots.js'), 'utf8').split('\n')[0]!.split(/\s+/).filter((arg) => arg.startsWith('--'));

/** One `sipbots load --scenario register` under `heapMb` of old space; its memory samples and counters. */
async function runRegisters(name: string, rate: number, options: { calls?: number; durationS?: number; heapMb?: number; concurrency?: number }): Promise<{ code: number | null; signal: string | null; seconds: number; samples: Sample[]; counters?: Counters; stderr: string }> {
  const samples = join(dir, `${name}.memory.jsonl`);
  const json = join(dir, `${name}.json`);
  const node = [...shebangFlags, ...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : []), '--import', join(repo, 'bench/support/sample-memory.mjs')];
  const limit = options.calls !== undefined ? ['--calls', String(options.calls)] : ['--duration', String(options.durationS)];
  if (options.concurrency) limit.push('--concurrency', String(options.concurrency));
  const args = ['load', '--proxy', `127.0.0.1:${kamailioPort}`, '--scenario', 'register', '--accounts', 'u{0001..0200}@lab.test', '--password', 'load-secret', '--rate', String(rate), ...limit, '--json', json, '--force'];
  const started = performance.now();
  const child = spawn(process.execPath, [...node, join(repo, 'bin/sipbots.js'), ...args], { env: { ...process.env, SIPBOTS_BENCH_MEMORY: samples }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  const seconds = (performance.now() - started) / 1000;
  const lines = (await readFile(samples, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  const counters = code === 0 ? ((JSON.parse(await readFile(json, 'utf8')) as { counters: Counters }).counters) : undefined;
  return { code, signal, seconds, samples: lines.map((l) => JSON.parse(l) as Sample), counters, stderr };
}

function outcome(counters: Counters | undefined): string {
  if (!counters) return 'no result';
  return `attempted ${counters.attempted}, succeeded ${counters.succeeded}, failed ${counters.failed} ${JSON.stringify(counters.failures)}, retransmissions ${counters.retransmissions}`;
}

const registers = env('LOAD_MEMORY_REGISTERS', 240_000);
const rate = env('LOAD_MEMORY_RATE', 4000);
const heapMb = env('LOAD_MEMORY_HEAP_MB', 64);
const concurrency = env('LOAD_MEMORY_CONCURRENCY', 0);
console.log(`## ${registers} REGISTERs at ${rate}/s under --max-old-space-size=${heapMb}, --concurrency ${concurrency || 'default'} (Kamailio 127.0.0.1:${kamailioPort})`);
const long = await runRegisters('registers', rate, { calls: registers, heapMb, concurrency });
const peakHeap = Math.max(0, ...long.samples.map((s) => s.heapUsed));
const exit = long.samples.find((s) => s.phase === 'exit');
console.log(`exit ${long.code ?? long.signal} after ${long.seconds.toFixed(0)} s; ${outcome(long.counters)}`);
if (long.code !== 0) {
  const lines = long.stderr.split('\n');
  console.log(`last progress line: ${lines.filter((l) => /active/.test(l)).at(-1)?.trim() ?? '(none)'}`);
  console.log(`then: ${lines.find((l) => /FATAL|error/i.test(l))?.trim() ?? '(nothing)'}`);
}
console.log(`heapUsed at the 10 s samples: ${long.samples.filter((s) => s.phase === 'run').map((s) => mb(s.heapUsed)).join(', ')} MB (peak sampled ${mb(peakHeap)} MB)`);
console.log(`RSS at the 10 s samples: ${long.samples.filter((s) => s.phase === 'run').map((s) => mb(s.rss)).join(', ')} MB; peak RSS ${((exit?.maxRssKb ?? 0) / 1000).toFixed(1)} MB`);

const soakS = env('LOAD_MEMORY_SOAK_S', 600);
if (soakS > 0) {
  const soakRate = env('LOAD_MEMORY_SOAK_RATE', 2000);
  console.log(`\n## soak: REGISTERs at ${soakRate}/s for ${soakS} s, RSS every 10 s`);
  const soak = await runRegisters('soak', soakRate, { durationS: soakS });
  const run = soak.samples.filter((s) => s.phase === 'run');
  console.log(`exit ${soak.code ?? soak.signal} after ${soak.seconds.toFixed(0)} s; ${outcome(soak.counters)}`);
  for (const s of run) console.log(`  ${String(s.t).padStart(4)} s  RSS ${mb(s.rss).padStart(6)} MB  heapUsed ${mb(s.heapUsed).padStart(6)} MB`);
  const at = (second: number): Sample | undefined => run.find((s) => s.t >= second);
  const minute2 = at(120);
  const last = run.at(-1);
  if (minute2 && last && last.t > minute2.t) {
    const growth = ((last.rss - minute2.rss) / minute2.rss) * 100;
    console.log(`RSS at ${minute2.t} s ${mb(minute2.rss)} MB, at ${last.t} s ${mb(last.rss)} MB: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % (target within 10 %)`);
  }
}
