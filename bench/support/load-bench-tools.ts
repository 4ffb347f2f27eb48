/**
 * The two callers and the two callees of bench/load-vs-sipp.ts, with the same accounts
 * (callers u0001..u0198, callee u0200, password load-secret, domain lab.test), the same flow
 * (INVITE → 407 → ACK → INVITE with credentials → 100 → 180 → 200 → ACK → hold → BYE → 200),
 * the same transaction timeout (8 s) and the same concurrency cap (rate × (hold + 8 s)).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { measured, type Measured } from './bench-process.js';

export type Tool = 'sipp' | 'sipbots';
export type Callee = 'sipp-uas' | 'sipbots-uas';

export const CALLERS = 198;
export const CALLEE_USER = 'u0200';
const PASSWORD = 'load-secret';
const DOMAIN = 'lab.test';
const TIMEOUT_S = 8;

export interface Lab {
  repo: string;
  work: string;
  kamailioPort: number;
  /** SIPp's caller port (fixed, so that the capture can tell it apart; sipbots picks its own). */
  sippPort: number;
}

export interface ToolRun {
  measured: Measured;
  attempted: number;
  succeeded: number;
  /** sipbots: CPU of the load itself (its --json), without Node start-up and module loading. */
  loadCpuS?: number;
  /** sipbots: its own histogram (scheduled time → 200), ms. */
  ownP99Ms?: number;
  /** Most calls up at once (SIPp: CurrentCall of its per-second statistics; sipbots: its timeline). */
  peakActive?: number;
}

export interface CallLoad {
  rate: number;
  calls: number;
  holdS: number;
  /** RSS sample period (ms). */
  rssEveryMs?: number;
  /** Told when the calls begin (see MeasureOptions.started). */
  onStarted?: (secondsIn: number) => void;
}

/** sipbots prints its first progress line on stdout one second into the arrivals. */
const sipbotsStarted = (call?: (secondsIn: number) => void) => (call ? { pattern: /^\s*1s\s+rate/m, secondsIn: 1, call } : undefined);
const sippStarted = (call?: (secondsIn: number) => void) => (call ? { call } : undefined);

const sippCommon = ['-i', '127.0.0.1', '-ci', '127.0.0.1', '-nostdin', '-buff_size', '4194304'];
// bin/sipbots.js run as the `sipbots` a user runs: through its shebang, with its V8 flags.
const sipbots = (lab: Lab): string[] => [join(lab.repo, 'bin/sipbots.js'), 'load', '--proxy', `127.0.0.1:${lab.kamailioPort}`, '--password', PASSWORD];
const cap = (load: CallLoad): number => Math.ceil(load.rate * (load.holdS + TIMEOUT_S));

function usersCsv(lab: Lab, name: string, users: string[]): string {
  const path = join(lab.work, name);
  writeFileSync(path, ['SEQUENTIAL', ...users.map((u) => `${u};${PASSWORD};${DOMAIN}`), ''].join('\n'));
  return path;
}

const callerUsers = Array.from({ length: CALLERS }, (_, i) => `u${String(i + 1).padStart(4, '0')}`);

/** uac-auth.xml with its 1 s pause replaced by the hold. */
function uacScenario(lab: Lab, holdS: number): string {
  const path = join(lab.work, `uac-auth-hold-${holdS}.xml`);
  const xml = readFileSync(join(lab.repo, 'test/interop/sipp/uac-auth.xml'), 'utf8');
  const held = xml.replace('<pause milliseconds="1000"/>', `<pause milliseconds="${Math.round(holdS * 1000)}"/>`);
  if (held === xml && holdS !== 1) throw new Error('uac-auth.xml: its <pause milliseconds="1000"/> is gone; update the bench');
  writeFileSync(path, held);
  return path;
}

/** SIPp's statistics file: every row as a record (header row first). */
function statRows(path: string): Record<string, string>[] {
  try {
    const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
    const names = head!.split(';');
    return rows.map((row) => Object.fromEntries(row.split(';').map((v, i) => [names[i], v])));
  } catch {
    return [];
  }
}

export async function sippCalls(lab: Lab, load: CallLoad, tag: string): Promise<ToolRun> {
  const stats = join(lab.work, `sipp-${tag}.csv`);
  const run = await measured(
    ['sipp', `127.0.0.1:${lab.kamailioPort}`, '-sf', uacScenario(lab, load.holdS), '-inf', usersCsv(lab, 'callers.csv', callerUsers), '-s', CALLEE_USER,
      '-r', String(load.rate), '-m', String(load.calls), '-l', String(cap(load)), '-p', String(lab.sippPort), '-recv_timeout', String(TIMEOUT_S * 1000),
      '-trace_stat', '-fd', '1', '-stf', stats, ...sippCommon],
    { cwd: lab.work, killAfterS: load.calls / load.rate + load.holdS + 60, rssEveryMs: load.rssEveryMs, started: sippStarted(load.onStarted) },
  );
  const rows = statRows(stats);
  const succeeded = Number(rows[rows.length - 1]?.['SuccessfulCall(C)'] ?? 0);
  const peakActive = rows.reduce((max, r) => Math.max(max, Number(r['CurrentCall'] ?? 0)), 0);
  return { measured: run, attempted: load.calls, succeeded, peakActive };
}

interface SipbotsJson {
  counters: { attempted: number; succeeded: number };
  cpu: { userS: number; systemS: number };
  latency: Record<string, { p99_ms: number }>;
  timeline: { active: number }[];
}

function sipbotsRun(run: Measured, json: string, attempted: number, histogram: string): ToolRun {
  try {
    const result = JSON.parse(readFileSync(json, 'utf8')) as SipbotsJson;
    return {
      measured: run,
      attempted,
      succeeded: result.counters.succeeded,
      loadCpuS: result.cpu.userS + result.cpu.systemS,
      ownP99Ms: result.latency[histogram]?.p99_ms,
      peakActive: result.timeline.reduce((max, p) => Math.max(max, p.active), 0),
    };
  } catch {
    // No JSON: the run died; nothing it attempted counts as done.
    return { measured: run, attempted, succeeded: 0 };
  }
}

export async function sipbotsCalls(lab: Lab, load: CallLoad, tag: string): Promise<ToolRun> {
  const json = join(lab.work, `sipbots-${tag}.json`);
  const run = await measured(
    [...sipbots(lab), '--accounts', `u{0001..0${CALLERS}}@${DOMAIN}`, '--callee-uri', `sip:${CALLEE_USER}@${DOMAIN}`, '--rate', String(load.rate), '--calls', String(load.calls),
      '--hold', String(load.holdS), '--timeout', String(TIMEOUT_S), '--concurrency', String(cap(load)), '--json', json, '--force'],
    { cwd: lab.work, killAfterS: load.calls / load.rate + load.holdS + 60, rssEveryMs: load.rssEveryMs, started: sipbotsStarted(load.onStarted) },
  );
  return sipbotsRun(run, json, load.calls, 'setup_200');
}

/** REGISTER → 401 → REGISTER with credentials → 200, every arrival challenged, Expires 60. */
export async function sippRegisters(lab: Lab, rate: number, count: number, tag: string, onStarted?: (secondsIn: number) => void): Promise<ToolRun> {
  const stats = join(lab.work, `sipp-${tag}.csv`);
  const run = await measured(
    ['sipp', `127.0.0.1:${lab.kamailioPort}`, '-sf', join(lab.repo, 'test/interop/sipp/register.xml'), '-inf', usersCsv(lab, 'callers.csv', callerUsers),
      '-key', 'contact_port', String(lab.sippPort), '-key', 'expires', '60', '-r', String(rate), '-m', String(count), '-p', String(lab.sippPort),
      '-recv_timeout', String(TIMEOUT_S * 1000), '-trace_stat', '-stf', stats, ...sippCommon],
    { cwd: lab.work, killAfterS: count / rate + 60, started: sippStarted(onStarted) },
  );
  const rows = statRows(stats);
  return { measured: run, attempted: count, succeeded: Number(rows[rows.length - 1]?.['SuccessfulCall(C)'] ?? 0) };
}

export async function sipbotsRegisters(lab: Lab, rate: number, count: number, tag: string, onStarted?: (secondsIn: number) => void): Promise<ToolRun> {
  const json = join(lab.work, `sipbots-${tag}.json`);
  const run = await measured(
    [...sipbots(lab), '--scenario', 'register', '--accounts', `u{0001..0${CALLERS}}@${DOMAIN}`, '--register-expires', '60', '--rate', String(rate), '--calls', String(count),
      '--timeout', String(TIMEOUT_S), '--json', json, '--force'],
    { cwd: lab.work, killAfterS: count / rate + 60, started: sipbotsStarted(onStarted) },
  );
  return sipbotsRun(run, json, count, 'register');
}

export interface RunningCallee {
  pid: number;
  stop(): Promise<void>;
}

const CALLEE_EXPIRES_S = 600;

/** One SIPp uas-answer.xml, registered as u0200 (refreshed while it runs, unregistered by stop()). */
export async function startSippUas(lab: Lab, port: number): Promise<RunningCallee> {
  const child = spawn('sipp', ['-sf', join(lab.repo, 'test/interop/sipp/uas-answer.xml'), '-p', String(port), ...sippCommon], { cwd: lab.work, stdio: 'ignore' });
  await sleep(300);
  const register = async (expires: number): Promise<void> => {
    const run = await measured(
      ['sipp', `127.0.0.1:${lab.kamailioPort}`, '-sf', join(lab.repo, 'test/interop/sipp/register.xml'), '-inf', usersCsv(lab, 'callee.csv', [CALLEE_USER]),
        '-key', 'contact_port', String(port), '-key', 'expires', String(expires), '-p', String(port + 1), ...sippCommon, '-m', '1'],
      { cwd: lab.work, killAfterS: 15 },
    );
    if (run.code !== 0) throw new Error(`SIPp could not register ${CALLEE_USER} with Expires ${expires} (exit ${run.code})`);
  };
  await register(CALLEE_EXPIRES_S);
  // A benchmark can outlast one registration (two 10-minute soaks back to back): refresh it at
  // half its lifetime, or the callee vanishes from Kamailio and every later call fails.
  let refreshing: Promise<void> = Promise.resolve();
  const refresher = setInterval(() => {
    refreshing = register(CALLEE_EXPIRES_S).catch((error: unknown) => {
      process.stderr.write(`refreshing the SIPp UAS's registration failed: ${String(error)}\n`);
    });
  }, (CALLEE_EXPIRES_S * 1000) / 2);
  return {
    pid: child.pid!,
    async stop() {
      clearInterval(refresher);
      await refreshing;
      await register(0);
      await stopChild(child);
    },
  };
}

/**
 * sipbots' load-mode UAS as the only callee. `sipbots load` has no answer-only mode: this one
 * registers u0200 on its callee socket and places a single call (u0200 → u0200, held until
 * stop()) so that it keeps running; every other call it receives comes from the caller under test.
 * It refreshes u0200's registration at about half the granted 600 s while it runs (a soak may outlive
 * one lifetime). stop() sends SIGINT: it hangs up its one call and unregisters u0200 (exit 130).
 */
export async function startSipbotsUas(lab: Lab): Promise<RunningCallee> {
  const child = spawn(
    join(lab.repo, 'bin/sipbots.js'),
    ['load', '--proxy', `127.0.0.1:${lab.kamailioPort}`, '--password', PASSWORD, '--accounts', `${CALLEE_USER}@${DOMAIN}`,
      '--rate', '1', '--calls', '1', '--hold', '86400', '--timeout', String(TIMEOUT_S), '--register-expires', '600'],
    { cwd: lab.work, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  // Its progress line (stdout) appears once a second after the registrations, while its one call is up.
  for (let waited = 0; !/active/i.test(output); waited += 100) {
    if (child.exitCode !== null || waited > 60_000) throw new Error(`sipbots callee did not start: ${output}`);
    await sleep(100);
  }
  return {
    pid: child.pid!,
    async stop() {
      await stopChild(child, 'SIGINT');
    },
  };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}
