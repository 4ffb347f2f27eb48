import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const NETNS_SH = `${REPO}/scripts/nat/netns.sh`;
const KAMAILIO_SH = `${REPO}/scripts/nat/kamailio-provider.sh`;

/** What `netns.sh up` prints: namespace names and addresses. */
export interface NatBed {
  NAT_HOME_NS: string;
  NAT_ROUTER_NS: string;
  NAT_PROVIDER_NS: string;
  NAT_HOME_ADDR: string;
  NAT_PUBLIC_ADDR: string;
  NAT_PROVIDER_ADDR: string;
  NAT_UDP_TIMEOUT: string;
}

export class NatBedError extends Error {
  override name = 'NatBedError';
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to completion, killing it (by its own pid) after `timeoutMs`. */
export function run(command: string, args: readonly string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut });
    });
  });
}

function parseKeyValues<T>(text: string): T {
  const result: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) result[match[1]!] = match[2]!;
  }
  return result as T;
}

/** Tears down whatever a previous run left, then builds the bed. Throws a NatBedError that says why not. */
export async function natBedUp(): Promise<NatBed> {
  const check = await run('bash', [NETNS_SH, 'check'], { timeoutMs: 10_000 });
  if (check.code !== 0) {
    throw new NatBedError(`the NAT test bed cannot be built here: ${check.stderr.trim() || check.stdout.trim()} (these tests need root and Linux network namespaces, as CI has)`);
  }
  await natBedDown();
  const up = await run('bash', [NETNS_SH, 'up'], { timeoutMs: 30_000 });
  if (up.code !== 0) throw new NatBedError(`scripts/nat/netns.sh up failed: ${up.stderr.trim()}`);
  return parseKeyValues<NatBed>(up.stdout);
}

export async function natBedDown(): Promise<void> {
  await run('bash', [KAMAILIO_SH, 'stop'], { timeoutMs: 15_000 });
  const down = await run('bash', [NETNS_SH, 'down'], { timeoutMs: 30_000 });
  if (down.code !== 0) throw new NatBedError(`scripts/nat/netns.sh down failed: ${down.stderr.trim()}`);
}

/** Kamailio in the provider namespace, fresh (no registrations left from an earlier run). */
export async function startProviderKamailio(frInvTimerMs: number): Promise<void> {
  const start = await run('bash', [KAMAILIO_SH, 'start'], { timeoutMs: 30_000, env: { FR_INV_TIMER: String(frInvTimerMs) } });
  if (start.code !== 0) throw new NatBedError(`Kamailio did not start in the provider namespace: ${start.stderr.trim()}`);
}

/** `node --import tsx <script> …args` inside namespace `ns`. */
export function runInNamespace(ns: string, script: string, args: readonly string[], timeoutMs: number): Promise<ProcessResult> {
  return run('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, ...args], { timeoutMs });
}

/** The JSON lines a nat-party printed. */
export function partyLines(result: ProcessResult): Array<Record<string, unknown>> {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
