/**
 * Driver of bench/load-vs-sipp.sh (Kamailio already running: KAMAILIO_PORT, KAMAILIO_PID).
 * Prints one JSON line per tool and run, then the medians and the sipbots/SIPp ratios, then
 * the 1,000-held-calls figures. CPU of a process is what bash `time` reports for it (user +
 * system, whole process: start-up included); the SIPp UAS and Kamailio are sampled from /proc.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const repo = resolve(import.meta.dirname, '..');
const sippDir = join(repo, 'test/interop/sipp');
const kamailioPort = Number(process.env.KAMAILIO_PORT);
const kamailioPid = Number(process.env.KAMAILIO_PID);
const runs = Number(process.env.LOAD_BENCH_RUNS ?? 3);
const stepS = Number(process.env.LOAD_BENCH_STEP_S ?? 4);
const holdS = Number(process.env.LOAD_BENCH_HOLD_S ?? 1);
const rates = (process.env.LOAD_BENCH_RATES ?? '500,1000,1500,2000,2500,3000,4000,5000,6000').split(',').map(Number);
const work = mkdtempSync(join(tmpdir(), 'sipbots-load-bench-'));
const TICKS = 100; // USER_HZ
const CALLERS = 198;
const SIPP_CALLEE = 'u0200';
const SIPBOTS_POOL = `u{0001..0${CALLERS}}@lab.test`;

if (!(kamailioPort > 0) || !(kamailioPid > 0)) throw new Error('run through bench/load-vs-sipp.sh (KAMAILIO_PORT and KAMAILIO_PID)');

interface Step {
  tool: string;
  rate: number;
  calls: number;
  failed: number;
  failedPct: number;
  cpuS: number;
  uasCpuS: number;
  kamailioCpuS: number;
  wallS: number;
  /** sipbots only: CPU of the load itself as its --json reports it (no Node start-up, no module loading). */
  loadCpuS?: number;
}

/** Runs `command` under bash `time`; resolves with exit code, stdout and CPU seconds. */
function timed(command: string[], killAfterS: number): Promise<{ code: number | null; stdout: string; cpuS: number; wallS: number }> {
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn('bash', ['-c', `TIMEFORMAT='CPU %U %S'; time ${quoted}`], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Its own process group: the bound ends bash and the tool it timed, nothing else.
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGTERM'), killAfterS * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const match = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      done({ code, stdout, cpuS: match ? Number(match[1]) + Number(match[2]) : NaN, wallS: (performance.now() - started) / 1000 });
    });
  });
}

/** utime + stime of a process and, for Kamailio, of all its children (seconds). */
function cpuOf(pid: number, withChildren = false): number {
  const pids = [pid];
  if (withChildren) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
        if (Number(fields[1]) === pid) pids.push(Number(entry));
      } catch {
        // The process ended between readdir and read: it has nothing left to count.
      }
    }
  }
  let ticks = 0;
  for (const p of pids) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone: counted as zero.
    }
  }
  return ticks / TICKS;
}

const sippCommon = ['-i', '127.0.0.1', '-ci', '127.0.0.1', '-cp', '0', '-nostdin', '-buff_size', '4194304'];

function csv(name: string, users: string[]): string {
  const path = join(work, name);
  writeFileSync(path, ['SEQUENTIAL', ...users.map((u) => `${u};load-secret;lab.test`), ''].join('\n'));
  return path;
}

const callersCsv = csv('callers.csv', Array.from({ length: CALLERS }, (_, i) => `u${String(i + 1).padStart(4, '0')}`));
const calleeCsv = csv('callee.csv', [SIPP_CALLEE]);

async function startSippUas(port: number): Promise<{ pid: number; stop: () => void }> {
  const child = spawn('sipp', ['-sf', join(sippDir, 'uas-answer.xml'), '-p', String(port), ...sippCommon], { cwd: work, stdio: 'ignore' });
  await sleep(300);
  const reg = await timed(['sipp', `127.0.0.1:${kamailioPort}`, '-sf', join(sippDir, 'register.xml'), '-inf', calleeCsv, '-key', 'contact_port', String(port), '-key', 'expires', '600', '-p', String(port + 1), ...sippCommon, '-m', '1'], 15);
  if (reg.code !== 0) throw new Error(`SIPp could not register ${SIPP_CALLEE} (exit ${reg.code})`);
  return { pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

async function sippStep(rate: number, uasPid: number, port: number): Promise<Step> {
  const calls = rate * stepS;
  const uas0 = cpuOf(uasPid);
  const kam0 = cpuOf(kamailioPid, true);
  const stats = join(work, `sipp-${rate}.csv`);
  const run = await timed(
    ['sipp', `127.0.0.1:${kamailioPort}`, '-sf', join(sippDir, 'uac-auth.xml'), '-inf', callersCsv, '-s', SIPP_CALLEE, '-r', String(rate), '-m', String(calls), '-p', String(port), '-recv_timeout', '8000', '-trace_stat', '-stf', stats, ...sippCommon],
    stepS + holdS + 40,
  );
  const last = lastRow(stats);
  const ok = Number(last['SuccessfulCall(C)'] ?? 0);
  const failed = calls - ok;
  return { tool: 'sipp', rate, calls, failed, failedPct: (100 * failed) / calls, cpuS: run.cpuS, uasCpuS: cpuOf(uasPid) - uas0, kamailioCpuS: cpuOf(kamailioPid, true) - kam0, wallS: run.wallS };
}

async function sipbotsStep(rate: number): Promise<Step> {
  const calls = rate * stepS;
  const kam0 = cpuOf(kamailioPid, true);
  const json = join(work, `sipbots-${rate}.json`);
  const run = await timed(
    ['node', join(repo, 'bin/sipbots.js'), 'load', '--proxy', `127.0.0.1:${kamailioPort}`, '--accounts', SIPBOTS_POOL, '--password', 'load-secret', '--rate', String(rate), '--calls', String(calls), '--hold', String(holdS), '--timeout', '8', '--json', json],
    stepS + holdS + 60,
  );
  let failed = calls;
  let loadCpuS: number | undefined;
  try {
    const result = JSON.parse(readFileSync(json, 'utf8')) as { counters: { succeeded: number }; cpu: { userS: number; systemS: number } };
    failed = calls - result.counters.succeeded;
    loadCpuS = result.cpu.userS + result.cpu.systemS;
  } catch {
    // No JSON: the run died; every call counts as failed.
  }
  return { tool: 'sipbots', rate, calls, failed, failedPct: (100 * failed) / calls, cpuS: run.cpuS, uasCpuS: 0, kamailioCpuS: cpuOf(kamailioPid, true) - kam0, wallS: run.wallS, loadCpuS };
}

function lastRow(path: string): Record<string, string> {
  try {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const header = lines[0]!.split(';');
    const values = lines[lines.length - 1]!.split(';');
    return Object.fromEntries(header.map((h, i) => [h, values[i] ?? '']));
  } catch {
    return {};
  }
}

/** Steps the rate up until a step fails ≥ 0.1 % of its calls; returns every step run. */
async function findMax(step: (rate: number) => Promise<Step>): Promise<Step[]> {
  const steps: Step[] = [];
  for (const rate of rates) {
    const s = await step(rate);
    steps.push(s);
    process.stderr.write(`  ${s.tool} ${rate}/s: ${s.failed} of ${s.calls} failed, cpu ${s.cpuS.toFixed(2)} s (+uas ${s.uasCpuS.toFixed(2)}), kamailio ${s.kamailioCpuS.toFixed(2)} s\n`);
    await sleep(2000); // let Kamailio finish its transactions
    if (s.failedPct >= 0.1) break;
  }
  return steps;
}

function summary(tool: string, run: number, steps: Step[]) {
  const passing = steps.filter((s) => s.failedPct < 0.1);
  const best = passing[passing.length - 1];
  const per1000 = (s: Step | undefined, cpu: number) => (s ? Number(((1000 * cpu) / s.calls).toFixed(4)) : null);
  return {
    tool,
    run,
    max_cps: best?.rate ?? 0,
    failed_pct_at_max: best ? Number(best.failedPct.toFixed(3)) : null,
    cpu_s_per_1000_calls: per1000(best, best?.cpuS ?? 0),
    cpu_s_per_1000_calls_with_uas: per1000(best, (best?.cpuS ?? 0) + (best?.uasCpuS ?? 0)),
    kamailio_cpu_s_per_1000_calls: per1000(best, best?.kamailioCpuS ?? 0),
    ...(best?.loadCpuS !== undefined ? { load_only_cpu_s_per_1000_calls: per1000(best, best.loadCpuS) } : {}),
    steps: steps.map((s) => ({ rate: s.rate, failed_pct: Number(s.failedPct.toFixed(3)), cpu_s: Number(s.cpuS.toFixed(2)), uas_cpu_s: Number(s.uasCpuS.toFixed(2)) })),
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};

const results: ReturnType<typeof summary>[] = [];
const uasPort = 47000 + Math.floor(Math.random() * 1000) * 2;
const uas = await startSippUas(uasPort);
try {
  for (let run = 1; run <= runs; run++) {
    // Alternate who goes first so a drifting machine load hits both alike.
    const order = run % 2 ? ['sipp', 'sipbots'] : ['sipbots', 'sipp'];
    for (const tool of order) {
      const steps = tool === 'sipp' ? await findMax((rate) => sippStep(rate, uas.pid, uasPort + 2)) : await findMax(sipbotsStep);
      const line = summary(tool, run, steps);
      results.push(line);
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  }
} finally {
  uas.stop();
}

const med = (tool: string, key: 'max_cps' | 'cpu_s_per_1000_calls' | 'cpu_s_per_1000_calls_with_uas') => median(results.filter((r) => r.tool === tool).map((r) => r[key] ?? NaN));
const sipp = { max_cps: med('sipp', 'max_cps'), cpu: med('sipp', 'cpu_s_per_1000_calls'), cpuWithUas: med('sipp', 'cpu_s_per_1000_calls_with_uas') };
const bots = { max_cps: med('sipbots', 'max_cps'), cpu: med('sipbots', 'cpu_s_per_1000_calls') };
process.stdout.write(
  JSON.stringify({
    medians_of_runs: runs,
    sipp_max_cps: sipp.max_cps,
    sipbots_max_cps: bots.max_cps,
    ratio_max_cps: Number((bots.max_cps / sipp.max_cps).toFixed(3)),
    sipp_uac_cpu_s_per_1000: sipp.cpu,
    sipp_uac_plus_uas_cpu_s_per_1000: sipp.cpuWithUas,
    sipbots_cpu_s_per_1000: bots.cpu,
    ratio_cpu_vs_sipp_uac: Number((bots.cpu / sipp.cpu).toFixed(3)),
    ratio_cpu_vs_sipp_uac_plus_uas: Number((bots.cpu / sipp.cpuWithUas).toFixed(3)),
  }) + '\n',
);

// 1,000 concurrent held calls, signaling only: 200 calls/s for 5 s, each held 20 s.
const heldJson = join(work, 'held.json');
const kam0 = cpuOf(kamailioPid, true);
const held = await timed(
  ['node', join(repo, 'bin/sipbots.js'), 'load', '--proxy', `127.0.0.1:${kamailioPort}`, '--accounts', SIPBOTS_POOL, '--password', 'load-secret', '--rate', '200', '--calls', '1000', '--hold', '20', '--timeout', '8', '--json', heldJson],
  90,
);
const heldResult = JSON.parse(readFileSync(heldJson, 'utf8')) as { counters: { succeeded: number; failed: number }; maxRssMb: number; timeline: { active: number }[] };
process.stdout.write(
  JSON.stringify({
    held_calls: 1000,
    peak_active: Math.max(...heldResult.timeline.map((p) => p.active)),
    succeeded: heldResult.counters.succeeded,
    failed: heldResult.counters.failed,
    sipbots_max_rss_mb: heldResult.maxRssMb,
    sipbots_cpu_s: Number(held.cpuS.toFixed(2)),
    wall_s: Number(held.wallS.toFixed(1)),
    kamailio_cpu_s: Number((cpuOf(kamailioPid, true) - kam0).toFixed(2)),
  }) + '\n',
);
