import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from './binaries.js';

export { requireBinary } from './binaries.js';

/** Directory of the SIPp scenarios and users CSV shipped for interop tests. */
export const sippScenarioDir = resolve(dirname(fileURLToPath(import.meta.url)), '../sipp');

/** Path of a shipped scenario, e.g. sippScenario('uac-auth'). */
export function sippScenario(name: string): string {
  return join(sippScenarioDir, `${name}.xml`);
}

/** SIPp's exit codes (sipp(1)). */
export const SippExitCode = {
  AllCallsSucceeded: 0,
  SomeCallsFailed: 1,
  ExitedOnInternalCommand: 97,
  NoCallProcessed: 99,
  FatalError: 255,
  SocketBindError: 254,
} as const;

export interface SippOptions {
  /** Kill SIPp (SIGTERM, SIGKILL 2 s later) after this many ms. */
  timeoutMs: number;
  /**
   * Working directory for SIPp's trace files. By default a fresh temp dir, removed after
   * a run that exits 0 and kept (path in the result) after any other outcome.
   */
  workDir?: string;
}

export interface SippResult {
  /** null when SIPp was killed (timedOut tells whether by the timeout). */
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Raw -trace_stat CSV (';'-separated, one header line, one line per dump). */
  statsCsv: string;
  /** Last row of statsCsv keyed by column name, e.g. stats['SuccessfulCall(C)']. */
  stats: Record<string, string>;
  /** Contents of -trace_logs files (scenario <log> actions), if any. */
  logs: string;
  /** Contents of -trace_err files (unexpected messages, aborts). */
  errors: string;
  /** Where the traces are (already removed if it was a temp dir and SIPp exited 0). */
  workDir: string;
}

export interface SippProcess {
  pid: number | undefined;
  /** Resolves when SIPp exits, however it exits. */
  done: Promise<SippResult>;
  /** SIGTERM now (SIGKILL 2 s later if still alive); resolves with the result. */
  stop(): Promise<SippResult>;
}

/**
 * Starts SIPp with `args` plus the options every run here needs: control socket on
 * 127.0.0.1 with an OS-chosen port (SIPp binds 0.0.0.0:8888 otherwise), no stdin,
 * -trace_stat into stats.csv and -trace_err. Callers still pass `-i 127.0.0.1` and
 * an explicit `-p` (SIPp with -p 0 binds 5060).
 */
export async function startSipp(args: readonly string[], options: SippOptions): Promise<SippProcess> {
  const binary = requireBinary('sipp');
  const ownsWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'sipbots-sipp-')));
  const statsPath = join(workDir, 'stats.csv');
  const fullArgs = [
    ...args,
    '-ci', '127.0.0.1',
    '-cp', '0',
    '-nostdin',
    '-trace_stat', '-stf', statsPath,
    '-trace_err',
  ];
  const child = spawn(binary, fullArgs, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), 2_000);
  };
  const timeout = setTimeout(() => {
    timedOut = true;
    terminate();
  }, options.timeoutMs);

  const done = new Promise<SippResult>((resolvePromise, reject) => {
    child.once('error', (error) => {
      clearTimeout(timeout);
      reject(new Error(`sipp could not be started: ${error.message}`, { cause: error }));
    });
    child.once('close', (exitCode) => {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      collectResult(workDir, statsPath, { exitCode, timedOut, stdout, stderr })
        .then(async (result) => {
          if (ownsWorkDir && exitCode === SippExitCode.AllCallsSucceeded) {
            await rm(workDir, { recursive: true, force: true });
          }
          return result;
        })
        .then(resolvePromise, reject);
    });
  });
  return {
    pid: child.pid,
    done,
    stop: () => {
      terminate();
      return done;
    },
  };
}

/** Runs SIPp to completion (see startSipp). */
export async function runSipp(args: readonly string[], options: SippOptions): Promise<SippResult> {
  return (await startSipp(args, options)).done;
}

/** Writes a SIPp injection file (-inf): SEQUENTIAL, one `;`-joined row per call. */
export async function writeSippCsv(path: string, rows: readonly (readonly string[])[]): Promise<string> {
  await writeFile(path, ['SEQUENTIAL', ...rows.map((row) => row.join(';')), ''].join('\n'));
  return path;
}

async function collectResult(
  workDir: string,
  statsPath: string,
  run: Pick<SippResult, 'exitCode' | 'timedOut' | 'stdout' | 'stderr'>,
): Promise<SippResult> {
  const statsCsv = await readFile(statsPath, 'utf8').catch(() => '');
  const files = await readdir(workDir);
  const concat = async (suffix: string): Promise<string> =>
    (
      await Promise.all(
        files.filter((file) => file.endsWith(suffix)).map((file) => readFile(join(workDir, file), 'utf8')),
      )
    ).join('');
  return {
    ...run,
    statsCsv,
    stats: lastStatsRow(statsCsv),
    logs: await concat('_logs.log'),
    errors: await concat('_errors.log'),
    workDir,
  };
}

/** The last dump of a -trace_stat CSV as column => value. */
export function lastStatsRow(statsCsv: string): Record<string, string> {
  const lines = statsCsv.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 2) return {};
  const header = lines[0]!.split(';');
  const values = lines[lines.length - 1]!.split(';');
  return Object.fromEntries(header.map((name, i) => [name, values[i] ?? '']).filter(([name]) => name !== ''));
}
