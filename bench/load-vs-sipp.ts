/**
 * Driver of bench/load-vs-sipp.sh (Kamailio already running: KAMAILIO_PORT, KAMAILIO_PID).
 * SIPp and `sipbots load` call the same callee through the same Kamailio with the same
 * accounts, hold and flow; the comparison is made once per callee (a SIPp UAS, then sipbots'
 * load-mode UAS), runs alternate between the tools so that a drifting machine hits both alike.
 * Prints one JSON line per measurement, then medians and sipbots/SIPp ratios (see
 * bench/RESULTS.md for what each field means).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuOf, median, settle } from './support/bench-process.js';
import { sipbotsCalls, sipbotsRegisters, sippCalls, sippRegisters, startSipbotsUas, startSippUas, type Callee, type CallLoad, type Lab, type RunningCallee, type Tool, type ToolRun } from './support/load-bench-tools.js';
import { captureLoopback, wireLatency, type WireLatency } from './support/wire-latency.js';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const config = {
  runs: Number(env('LOAD_BENCH_RUNS', '3')),
  stepS: Number(env('LOAD_BENCH_STEP_S', '4')),
  holdS: Number(env('LOAD_BENCH_HOLD_S', '1')),
  rates: env('LOAD_BENCH_RATES', '500,1000,1500,2000,2500,3000,3500,4000,5000').split(',').map(Number),
  callees: env('LOAD_BENCH_CALLEES', 'sipp-uas,sipbots-uas').split(',') as Callee[],
  phases: new Set(env('LOAD_BENCH_PHASES', 'calls,latency,overload,register,memory,soak').split(',')),
  latencyS: Number(env('LOAD_BENCH_LATENCY_S', '8')),
  latencyWindowS: Number(env('LOAD_BENCH_LATENCY_WINDOW_S', '2')),
  registerRate: Number(env('LOAD_BENCH_REGISTER_RATE', '4000')),
  registerS: Number(env('LOAD_BENCH_REGISTER_S', '4')),
  memoryRate: Number(env('LOAD_BENCH_MEMORY_RATE', '200')),
  memoryHoldS: Number(env('LOAD_BENCH_MEMORY_HOLD_S', '10')),
  memoryS: Number(env('LOAD_BENCH_MEMORY_S', '20')),
  soakS: Number(env('LOAD_BENCH_SOAK_S', '600')),
  soakRate: process.env.LOAD_BENCH_SOAK_RATE ? Number(process.env.LOAD_BENCH_SOAK_RATE) : undefined,
  latencyRate: process.env.LOAD_BENCH_LATENCY_RATE ? Number(process.env.LOAD_BENCH_LATENCY_RATE) : undefined,
  /** The overload phase's offered rate; by default 1.3 × sipbots' knee from this callee's calls phase. */
  overloadRate: process.env.LOAD_BENCH_OVERLOAD_RATE ? Number(process.env.LOAD_BENCH_OVERLOAD_RATE) : undefined,
};
const repo = resolve(import.meta.dirname, '..');
const kamailioPort = Number(process.env.KAMAILIO_PORT);
const kamailioPid = Number(process.env.KAMAILIO_PID);
if (!(kamailioPort > 0) || !(kamailioPid > 0)) throw new Error('run through bench/load-vs-sipp.sh (KAMAILIO_PORT and KAMAILIO_PID)');
const basePort = 47000 + Math.floor(Math.random() * 1000) * 2;
const lab: Lab = { repo, work: mkdtempSync(join(tmpdir(), 'sipbots-load-bench-')), kamailioPort, sippPort: basePort + 4 };
const tools: Tool[] = ['sipp', 'sipbots'];
/** A step passes with fewer failed calls than this (%). */
const CLEAN_PCT = 0.1;

const load1 = (): number => Number(loadavg()[0]!.toFixed(2));
const r4 = (n: number): number => (Number.isFinite(n) ? Number(n.toFixed(4)) : NaN);
const per1000 = (cpuS: number, calls: number): number => r4((1000 * cpuS) / calls);
const ratio = (a: number, b: number): number | null => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Number((a / b).toFixed(3)) : null);
const print = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n');
/** Run `run` alternates which tool goes first. */
const orderOf = (run: number): Tool[] => (run % 2 ? tools : [...tools].reverse());

function version(command: string, args: string[], pattern: RegExp): string {
  try {
    return pattern.exec(execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1] ?? 'unknown';
  } catch (error) {
    return pattern.exec(String((error as { stdout?: string }).stdout ?? ''))?.[1] ?? 'unknown';
  }
}

/** One measured arrival phase: the tool's run with Kamailio's and the callee's CPU around it. */
async function measure(tool: Tool, callee: RunningCallee | undefined, go: () => Promise<ToolRun>) {
  const kam0 = cpuOf(kamailioPid, true);
  const callee0 = callee ? cpuOf(callee.pid) : 0;
  const load = load1();
  const run = await go();
  const calleeCpuS = callee ? cpuOf(callee.pid) - callee0 : NaN;
  return { tool, run, kamailioCpuS: cpuOf(kamailioPid, true) - kam0, calleeCpuS, load };
}
type Measurement = Awaited<ReturnType<typeof measure>>;

function stepFigures(m: Measurement) {
  const { run } = m;
  const failed = run.attempted - run.succeeded;
  return {
    rate: 0,
    calls: run.attempted,
    failed_pct: Number(((100 * failed) / run.attempted).toFixed(3)),
    cpu_s_per_1000: per1000(run.measured.cpuS, run.attempted),
    ...(run.loadCpuS !== undefined ? { load_only_cpu_s_per_1000: per1000(run.loadCpuS, run.attempted) } : {}),
    kamailio_cpu_s_per_1000: per1000(m.kamailioCpuS, run.attempted),
    callee_cpu_s_per_1000: per1000(m.calleeCpuS, run.attempted),
    load_avg_1m: m.load,
  };
}
type StepFigures = ReturnType<typeof stepFigures>;

const callLoad = (rate: number, seconds: number, holdS = config.holdS, rssEveryMs?: number): CallLoad => ({ rate, calls: Math.round(rate * seconds), holdS, rssEveryMs });
const callsOf = (tool: Tool, load: CallLoad, tag: string): Promise<ToolRun> => (tool === 'sipp' ? sippCalls(lab, load, tag) : sipbotsCalls(lab, load, tag));

/** Steps the rate up until a step fails ≥ CLEAN_PCT % of its calls. */
async function findKnee(tool: Tool, callee: Callee, running: RunningCallee, run: number): Promise<StepFigures[]> {
  const steps: StepFigures[] = [];
  for (const rate of config.rates) {
    const m = await measure(tool, running, () => callsOf(tool, callLoad(rate, config.stepS), `${callee}-${run}-${rate}`));
    const step = { ...stepFigures(m), rate };
    steps.push(step);
    process.stderr.write(`  ${callee} run ${run} ${tool} ${rate}/s: ${step.failed_pct} % failed, ${step.cpu_s_per_1000} CPU s/1000, kamailio ${step.kamailio_cpu_s_per_1000}\n`);
    await settle(kamailioPid, 40);
    if (step.failed_pct >= CLEAN_PCT) break;
  }
  return steps;
}

interface KneeRun {
  tool: Tool;
  knee: number;
  steps: StepFigures[];
}

/** Knees, CPU at the knee and at the highest rate both tools held clean, medians of the runs. */
function callsSummary(callee: Callee, runs: KneeRun[]) {
  const of = (tool: Tool) => runs.filter((r) => r.tool === tool);
  const atKnee = (tool: Tool, key: keyof StepFigures) => median(of(tool).map((r) => Number(r.steps.find((s) => s.rate === r.knee)?.[key] ?? NaN)));
  const knee = { sipp: median(of('sipp').map((r) => r.knee)), sipbots: median(of('sipbots').map((r) => r.knee)) };
  const common = Math.max(0, ...config.rates.filter((rate) => rate <= Math.min(knee.sipp, knee.sipbots)));
  const atRate = (tool: Tool, key: keyof StepFigures) => median(of(tool).map((r) => Number(r.steps.find((s) => s.rate === common)?.[key] ?? NaN)));
  const sippCpu = atRate('sipp', 'cpu_s_per_1000');
  const botsCpu = atRate('sipbots', 'cpu_s_per_1000');
  const botsLoadOnly = atRate('sipbots', 'load_only_cpu_s_per_1000');
  return {
    kind: 'calls_medians',
    callee,
    runs: of('sipp').length,
    sipp_clean_cps: knee.sipp,
    sipbots_clean_cps: knee.sipbots,
    ratio_clean_cps: ratio(knee.sipbots, knee.sipp),
    sipp_cpu_s_per_1000_at_knee: atKnee('sipp', 'cpu_s_per_1000'),
    sipbots_cpu_s_per_1000_at_knee: atKnee('sipbots', 'cpu_s_per_1000'),
    sipp_kamailio_cpu_s_per_1000_at_knee: atKnee('sipp', 'kamailio_cpu_s_per_1000'),
    sipbots_kamailio_cpu_s_per_1000_at_knee: atKnee('sipbots', 'kamailio_cpu_s_per_1000'),
    same_rate: common,
    sipp_cpu_s_per_1000: sippCpu,
    sipbots_cpu_s_per_1000: botsCpu,
    sipbots_load_only_cpu_s_per_1000: botsLoadOnly,
    ratio_cpu: ratio(botsCpu, sippCpu),
    ratio_cpu_load_only: ratio(botsLoadOnly, sippCpu),
    sipp_kamailio_cpu_s_per_1000: atRate('sipp', 'kamailio_cpu_s_per_1000'),
    sipbots_kamailio_cpu_s_per_1000: atRate('sipbots', 'kamailio_cpu_s_per_1000'),
    ratio_kamailio_cpu: ratio(atRate('sipbots', 'kamailio_cpu_s_per_1000'), atRate('sipp', 'kamailio_cpu_s_per_1000')),
  };
}

/** A run of `seconds` with the loopback captured for a window in its middle (timed from the tool's first arrival). */
async function captured(tool: Tool, method: 'INVITE' | 'REGISTER', seconds: number, go: (onStarted: (secondsIn: number) => void) => Promise<ToolRun>, callee: RunningCallee | undefined, tag: string) {
  const window = Math.min(config.latencyWindowS, seconds / 2);
  const pcap = join(lab.work, `${tag}.pcap`);
  let capture: Promise<{ path: string; dropped: number } | undefined> = Promise.resolve(undefined);
  const m = await measure(tool, callee, async () => {
    const result = await go((secondsIn) => {
      capture = sleep(Math.max(0, (seconds - window) / 2 - secondsIn) * 1000)
        .then(() => captureLoopback(kamailioPort, pcap))
        .then(async (c) => (await sleep(window * 1000), c.stop()));
    });
    await capture;
    return result;
  });
  const done = await capture;
  const none = { count: 0, p50_ms: NaN, p99_ms: NaN, max_ms: NaN, dropped: 0, window_s: window };
  return { m, wire: done ? await wireLatency(done.path, kamailioPort, method, done.dropped, window) : none };
}

function wireFigures(wire: WireLatency) {
  return { wire_count: wire.count, wire_p50_ms: wire.p50_ms, wire_p99_ms: wire.p99_ms, wire_max_ms: wire.max_ms, wire_dropped: wire.dropped };
}

type Line = Record<string, number | string | null>;

/** config.runs rounds of both tools, alternating who goes first; prints each line; returns the median of a field per tool. */
async function alternating(measureOne: (run: number, tool: Tool) => Promise<Line>): Promise<(tool: Tool, key: string) => number> {
  const lines: Line[] = [];
  for (let run = 1; run <= config.runs; run++) {
    for (const tool of orderOf(run)) {
      const line = await measureOne(run, tool);
      lines.push(line);
      print(line);
      await settle(kamailioPid, 40);
    }
  }
  return (tool, key) => median(lines.filter((l) => l.tool === tool).map((l) => Number(l[key] ?? NaN)));
}

async function latencyPhase(callee: Callee, running: RunningCallee, rate: number): Promise<void> {
  const med = await alternating(async (run, tool) => {
    const tag = `latency-${callee}-${run}-${tool}`;
    const load = (onStarted: (secondsIn: number) => void) => callsOf(tool, { ...callLoad(rate, config.latencyS), onStarted }, tag);
    const { m, wire } = await captured(tool, 'INVITE', config.latencyS, load, running, tag);
    return { kind: 'latency', callee, run, tool, ...stepFigures(m), rate, ...wireFigures(wire), own_setup_200_p99_ms: m.run.ownP99Ms ?? null };
  });
  print({
    kind: 'latency_medians',
    callee,
    rate,
    sipp_wire_p99_ms: med('sipp', 'wire_p99_ms'),
    sipbots_wire_p99_ms: med('sipbots', 'wire_p99_ms'),
    ratio_wire_p99: ratio(med('sipbots', 'wire_p99_ms'), med('sipp', 'wire_p99_ms')),
    sipp_wire_p50_ms: med('sipp', 'wire_p50_ms'),
    sipbots_wire_p50_ms: med('sipbots', 'wire_p50_ms'),
    sipbots_own_setup_200_p99_ms: med('sipbots', 'own_setup_200_p99_ms'),
  });
}

/**
 * Issue 17's overload target: both tools offered the same rate, 1.3 × sipbots' knee (each with
 * its concurrency cap: SIPp's -l, sipbots' default), alternating; what failed, and what the
 * overload cost Kamailio. Failed calls are the tool's own count (attempted − succeeded).
 */
async function overloadPhase(callee: Callee, running: RunningCallee, rate: number): Promise<void> {
  const med = await alternating(async (run, tool) => {
    const m = await measure(tool, running, () => callsOf(tool, callLoad(rate, config.stepS), `overload-${callee}-${run}-${tool}`));
    return { kind: 'overload', callee, run, tool, ...stepFigures(m), rate };
  });
  print({
    kind: 'overload_medians',
    callee,
    rate,
    sipp_failed_pct: med('sipp', 'failed_pct'),
    sipbots_failed_pct: med('sipbots', 'failed_pct'),
    sipp_kamailio_cpu_s_per_1000: med('sipp', 'kamailio_cpu_s_per_1000'),
    sipbots_kamailio_cpu_s_per_1000: med('sipbots', 'kamailio_cpu_s_per_1000'),
    ratio_kamailio_cpu: ratio(med('sipbots', 'kamailio_cpu_s_per_1000'), med('sipp', 'kamailio_cpu_s_per_1000')),
    sipp_cpu_s_per_1000: med('sipp', 'cpu_s_per_1000'),
    sipbots_cpu_s_per_1000: med('sipbots', 'cpu_s_per_1000'),
  });
}

async function registerPhase(): Promise<void> {
  const rate = config.registerRate;
  const count = Math.round(rate * config.registerS);
  const med = await alternating(async (run, tool) => {
    const tag = `register-${run}-${tool}`;
    const go = (onStarted: (secondsIn: number) => void) => (tool === 'sipp' ? sippRegisters(lab, rate, count, tag, onStarted) : sipbotsRegisters(lab, rate, count, tag, onStarted));
    const { m, wire } = await captured(tool, 'REGISTER', config.registerS, go, undefined, tag);
    const { callee_cpu_s_per_1000: _none, ...figures } = stepFigures(m);
    return { kind: 'register', run, tool, ...figures, rate, ...wireFigures(wire), own_register_p99_ms: m.run.ownP99Ms ?? null };
  });
  print({
    kind: 'register_medians',
    rate,
    sipp_failed_pct: med('sipp', 'failed_pct'),
    sipbots_failed_pct: med('sipbots', 'failed_pct'),
    sipp_cpu_s_per_1000: med('sipp', 'cpu_s_per_1000'),
    sipbots_cpu_s_per_1000: med('sipbots', 'cpu_s_per_1000'),
    sipbots_load_only_cpu_s_per_1000: med('sipbots', 'load_only_cpu_s_per_1000'),
    ratio_cpu: ratio(med('sipbots', 'cpu_s_per_1000'), med('sipp', 'cpu_s_per_1000')),
    ratio_cpu_load_only: ratio(med('sipbots', 'load_only_cpu_s_per_1000'), med('sipp', 'cpu_s_per_1000')),
    sipp_kamailio_cpu_s_per_1000: med('sipp', 'kamailio_cpu_s_per_1000'),
    sipbots_kamailio_cpu_s_per_1000: med('sipbots', 'kamailio_cpu_s_per_1000'),
    sipp_wire_p99_ms: med('sipp', 'wire_p99_ms'),
    sipbots_wire_p99_ms: med('sipbots', 'wire_p99_ms'),
    ratio_wire_p99: ratio(med('sipbots', 'wire_p99_ms'), med('sipp', 'wire_p99_ms')),
    sipbots_own_register_p99_ms: med('sipbots', 'own_register_p99_ms'),
  });
}

/** Held calls (memory) or a soak: RSS of the caller sampled while it runs. */
async function rssPhase(kind: 'memory' | 'soak', running: RunningCallee, load: CallLoad, seconds: number) {
  const rss: Record<Tool, { t: number; mb: number }[]> = { sipp: [], sipbots: [] };
  for (const tool of tools) {
    const m = await measure(tool, running, () => callsOf(tool, load, `${kind}-${tool}`));
    rss[tool] = m.run.measured.rss;
    const at = (s: number) => m.run.measured.rss.find((sample) => sample.t >= s)?.mb ?? null;
    const arrivalsEnd = m.run.measured.rss.filter((sample) => sample.t <= seconds + 1).pop()?.mb ?? null;
    print({
      kind,
      tool,
      ...stepFigures(m),
      rate: load.rate,
      hold_s: load.holdS,
      peak_active: m.run.peakActive ?? null,
      peak_rss_mb: m.run.measured.peakRssMb,
      ...(kind === 'soak' ? { seconds, rss_at_120s_mb: at(120), rss_at_end_of_arrivals_mb: arrivalsEnd, rss_samples_mb: m.run.measured.rss.map((s) => s.mb) } : {}),
    });
    await settle(kamailioPid, 40);
  }
  return rss;
}

print({
  kind: 'environment',
  date: new Date().toISOString(),
  commit: version('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], /(\w+)/),
  node: process.version,
  sipp: version('sipp', ['-v'], /SIPp (v[\d.]+)/),
  kamailio: version('kamailio', ['-v'], /version: kamailio ([\d.]+)/),
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model,
  mem_gb: Math.round(totalmem() / 2 ** 30),
  load_avg: loadavg().map((l) => Number(l.toFixed(2))),
  config: { ...config, phases: [...config.phases] },
});

const knees: Record<string, number> = {};
const sipbotsKnees: Record<string, number> = {};
const startCallee = (callee: Callee): Promise<RunningCallee> => (callee === 'sipp-uas' ? startSippUas(lab, basePort) : startSipbotsUas(lab));
for (const callee of config.callees) {
  const running = await startCallee(callee);
  try {
    if (config.phases.has('calls')) {
      const runs: KneeRun[] = [];
      for (let run = 1; run <= config.runs; run++) {
        for (const tool of orderOf(run)) {
          const steps = await findKnee(tool, callee, running, run);
          const knee = Math.max(0, ...steps.filter((s) => s.failed_pct < CLEAN_PCT).map((s) => s.rate));
          runs.push({ tool, knee, steps });
          print({ kind: 'calls_run', callee, run, tool, clean_cps: knee, steps });
        }
      }
      const summary = callsSummary(callee, runs);
      knees[callee] = Math.min(summary.sipp_clean_cps, summary.sipbots_clean_cps);
      sipbotsKnees[callee] = summary.sipbots_clean_cps;
      print({ ...summary, load_avg: loadavg().map((l) => Number(l.toFixed(2))) });
    }
    // Half the lower of the two knees (so both tools run below their own), in steps of 100/s.
    const half = Math.max(100, Math.round((knees[callee] ?? config.rates[0]! * 2) / 200) * 100);
    if (config.phases.has('latency')) await latencyPhase(callee, running, config.latencyRate ?? half);
    if (config.phases.has('overload')) {
      const knee = sipbotsKnees[callee];
      const rate = config.overloadRate ?? (knee ? Math.round((1.3 * knee) / 100) * 100 : undefined);
      if (rate) await overloadPhase(callee, running, rate);
      else process.stderr.write(`  overload phase skipped for ${callee}: no knee (run the calls phase too, or set LOAD_BENCH_OVERLOAD_RATE)\n`);
    }
  } finally {
    await running.stop();
  }
}

if (config.phases.has('register')) await registerPhase();

const memoryOrSoak = config.phases.has('memory') || config.phases.has('soak');
if (memoryOrSoak) {
  const running = await startSippUas(lab, basePort);
  try {
    if (config.phases.has('memory')) {
      const rss = await rssPhase('memory', running, callLoad(config.memoryRate, config.memoryS, config.memoryHoldS), config.memoryS);
      const peak = (tool: Tool) => rss[tool].reduce((max, s) => Math.max(max, s.mb), 0);
      print({ kind: 'memory_ratio', concurrent_target: config.memoryRate * config.memoryHoldS, sipp_peak_rss_mb: peak('sipp'), sipbots_peak_rss_mb: peak('sipbots'), ratio_rss: ratio(peak('sipbots'), peak('sipp')) });
    }
    if (config.phases.has('soak')) {
      const knee = knees['sipp-uas'] ?? knees[config.callees[0]!];
      const rate = config.soakRate ?? Math.max(100, Math.round((knee ?? 1000) / 200) * 100);
      const rss = await rssPhase('soak', running, callLoad(rate, config.soakS, config.holdS, 10_000), config.soakS);
      const growth = (tool: Tool) => {
        const samples = rss[tool].filter((s) => s.t <= config.soakS + 1);
        const at2 = samples.find((s) => s.t >= 120)?.mb;
        const last = samples[samples.length - 1]?.mb;
        return at2 !== undefined && last !== undefined ? Number(((100 * (last - at2)) / at2).toFixed(1)) : null;
      };
      print({ kind: 'soak_growth', rate, seconds: config.soakS, sipp_rss_growth_pct_from_120s: growth('sipp'), sipbots_rss_growth_pct_from_120s: growth('sipbots') });
    }
  } finally {
    await running.stop();
  }
}
rmSync(lab.work, { recursive: true, force: true });
print({ kind: 'done', load_avg: loadavg().map((l) => Number(l.toFixed(2))), date: new Date().toISOString() });
