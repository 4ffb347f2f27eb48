/**
 * Processes of bench/load-vs-sipp.ts: a tool run under bash `time` (exact CPU of the whole
 * process, start-up included) with its RSS sampled from /proc while it runs, and the CPU of
 * long-lived processes (Kamailio and its children, a callee) read from /proc/PID/stat.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const TICKS = 100; // USER_HZ
const PAGE_KB = 4;

export interface RssSample {
  /** Seconds since the tool started. */
  t: number;
  mb: number;
}

export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** User + system seconds of the tool's whole process, as bash `time` reports them. */
  cpuS: number;
  wallS: number;
  rss: RssSample[];
  peakRssMb: number;
}

export interface MeasureOptions {
  cwd: string;
  /** SIGTERM to the tool's process group after this long. */
  killAfterS: number;
  /** RSS sample period (ms). */
  rssEveryMs?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Told when the tool's load begins, with how many seconds of it ran already: at spawn
   * without a pattern, else when its stdout first matches the pattern.
   */
  started?: { pattern?: RegExp; secondsIn?: number; call: (secondsIn: number) => void };
}

/** Runs `command` under bash `time` in its own process group; resolves when it exits. */
export function measured(command: string[], options: MeasureOptions): Promise<Measured> {
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn('bash', ['-c', `TIMEFORMAT='CPU %U %S'; time ${quoted}`], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const onStart = options.started;
    let told = false;
    const tell = (): void => {
      if (!told && onStart) onStart.call(onStart.secondsIn ?? 0);
      told = true;
    };
    if (onStart && !onStart.pattern) tell();
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!told && onStart?.pattern?.test(stdout)) tell();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const rss: RssSample[] = [];
    const sample = (): void => {
      const tool = childrenOf(child.pid!)[0];
      const mb = tool === undefined ? undefined : rssMbOf(tool);
      if (mb !== undefined) rss.push({ t: Math.round((performance.now() - started) / 100) / 10, mb });
    };
    const sampler = setInterval(sample, options.rssEveryMs ?? 1000);
    // Its own process group: the bound ends bash and the tool it timed, nothing else.
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGTERM'), options.killAfterS * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      clearInterval(sampler);
      const match = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      done({
        code,
        stdout,
        stderr,
        cpuS: match ? Number(match[1]) + Number(match[2]) : NaN,
        wallS: (performance.now() - started) / 1000,
        rss,
        peakRssMb: rss.reduce((max, s) => Math.max(max, s.mb), 0),
      });
    });
  });
}

/** Direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Gone, or a kernel without the children file: scan /proc instead.
    const found: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (/^\d+$/.test(entry) && parentOf(Number(entry)) === pid) found.push(Number(entry));
    }
    return found;
  }
}

function parentOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** Fields of /proc/PID/stat after the command name (state is [0]); undefined once it is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

/** Resident set of one process in MB (undefined once it is gone). */
export function rssMbOf(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Math.round((pages * PAGE_KB) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/** utime + stime (seconds) of `pid` and, with `tree`, of all its descendants still alive. */
export function cpuOf(pid: number, tree = false): number {
  const pids = tree ? descendantsOf(pid) : [pid];
  let ticks = 0;
  for (const p of pids) {
    const fields = statFields(p);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}

function descendantsOf(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}

/**
 * Waits until Kamailio (and its children) spent less than `idleCpuS` in one second, at most
 * `maxS`: the transactions of the previous step (retransmissions, timers) are over.
 */
export async function settle(pid: number, maxS: number, idleCpuS = 0.05): Promise<number> {
  const start = performance.now();
  while ((performance.now() - start) / 1000 < maxS) {
    const before = cpuOf(pid, true);
    await sleep(1000);
    if (cpuOf(pid, true) - before < idleCpuS) break;
  }
  return Math.round((performance.now() - start) / 100) / 10;
}

export const median = (values: readonly number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};
