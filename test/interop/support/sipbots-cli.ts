import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.js';
import type { SipbotsEvent } from '../../../src/events/types.js';
import type { RunSummary } from '../../../src/scenario/result-types.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A file under test/interop/fixtures. */
export function fixture(name: string): string {
  return join(repoRoot, 'test/interop/fixtures', name);
}

export interface SipbotsRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** The `--json` summary line, when the command printed one. */
  summary: (RunSummary & { runDir: string }) | undefined;
  /** The run folder given with --out (a fresh temp dir, removed by `cleanup`). */
  runDir: string;
}

export interface SipbotsRunOptions {
  /** Interrupt the CLI (like Ctrl-C) after this long; the run then exits 130. */
  timeoutMs: number;
  /** Added to a copy of process.env. */
  env?: Record<string, string>;
  /** sipbots --log-level (default silent: pino writes straight to fd 2). */
  logLevel?: string;
  /** Told the run folder before the run starts, to watch messages.jsonl as it is written. */
  onRunDir?: (runDir: string) => void;
}

const tempDirs: string[] = [];
/** Run folders of runs with a failed case: kept for messages.jsonl, named in describeRun. */
const failedRuns = new Set<string>();

/**
 * Runs `sipbots <argv> --out <temp run folder>` in-process through `main()` (the CLI of src/,
 * no build needed), with string-collecting stdout/stderr. Bounded: the command is interrupted
 * after `timeoutMs`, and the promise rejects if it does not wind down 15 s later.
 */
export async function runSipbots(argv: readonly string[], options: SipbotsRunOptions): Promise<SipbotsRun> {
  const base = await mkdtemp(join(tmpdir(), 'sipbots-interop-run-'));
  tempDirs.push(base);
  const runDir = join(base, 'run');
  options.onRunDir?.(runDir);
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const interrupt = setTimeout(() => controller.abort(), options.timeoutMs);
  let hardTimer: NodeJS.Timeout | undefined;
  const started = Date.now();
  try {
    const exitCode = await Promise.race([
      main(['--log-level', options.logLevel ?? 'silent', ...argv, '--out', runDir], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        env: { ...process.env, ...options.env },
        signal: controller.signal,
      }),
      new Promise<never>((_, reject) => {
        hardTimer = setTimeout(
          () => reject(new Error(`sipbots ${argv.join(' ')} still running ${options.timeoutMs + 15_000} ms after start\n${stderr}`)),
          options.timeoutMs + 15_000,
        );
      }),
    ]);
    const summary = parseSummary(stdout);
    if (summary?.cases.some((c) => !c.passed)) failedRuns.add(base);
    return { exitCode, stdout, stderr, elapsedMs: Date.now() - started, summary, runDir };
  } finally {
    clearTimeout(interrupt);
    clearTimeout(hardTimer);
  }
}

/**
 * Removes the run folders made by runSipbots in this file, except those of runs with a failed
 * case (all are kept with SIPBOTS_KEEP_RUNS=1).
 */
export async function cleanupRuns(): Promise<void> {
  if (process.env.SIPBOTS_KEEP_RUNS === '1') return;
  const removable = tempDirs.splice(0).filter((dir) => !failedRuns.has(dir));
  await Promise.all(removable.map((dir) => rm(dir, { recursive: true, force: true })));
}

function parseSummary(stdout: string): SipbotsRun['summary'] {
  const line = stdout
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('{'));
  return line === undefined ? undefined : (JSON.parse(line) as SipbotsRun['summary']);
}

/** The events of a run folder's messages.jsonl. */
export async function readRunEvents(runDir: string): Promise<SipbotsEvent[]> {
  const text = await readFile(join(runDir, 'messages.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SipbotsEvent);
}

/** `SIP/2.0 180 Ringing` or `INVITE sip:...`: the first line of a SIP event's message. */
export function firstLine(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n'));
}

/** What to show when a run did not do what a test expected: exit code, stderr, failing cases. */
export function describeRun(run: SipbotsRun): string {
  const failing = run.summary?.cases.filter((c) => !c.passed).map((c) => `${c.id}: ${c.difference ?? c.error ?? '?'}`) ?? [];
  return [`exit ${run.exitCode}`, run.stderr.trim(), ...failing, `run folder ${run.runDir}`].filter(Boolean).join('\n');
}
