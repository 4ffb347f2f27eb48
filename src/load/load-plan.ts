import { isIP } from 'node:net';
import { AccountsError, loadAccounts } from './accounts.js';
import { parseRamp, type ArrivalKind } from './arrivals.js';
import { LOAD_SCENARIOS, type EngineOptions, type LoadScenario } from './load-engine.js';
import { LOAD_TRANSPORTS, type LoadTransport } from './load-link.js';
import { parseThresholds, type Threshold } from './thresholds.js';

/** `sipbots load` options as typed on the command line (strings and numbers, unchecked). */
export interface LoadInput {
  proxy?: string;
  scenario: string;
  accounts?: string;
  password?: string;
  domain?: string;
  calleeUri?: string;
  rate?: number;
  arrival: string;
  ramp?: string;
  concurrency?: number;
  calls?: number;
  durationS?: number;
  holdS: number;
  timeoutS: number;
  registerExpires: number;
  transport: string;
  sockets: number;
  workers: number;
  thresholds: string[];
  seed?: number;
  bind: string;
}

export interface LoadPlan {
  engine: EngineOptions;
  workers: number;
  thresholds: Threshold[];
}

/** Thrown with every problem of the command line at once (k6's validate()). */
export class LoadPlanError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid load options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'LoadPlanError';
  }
}

/** Checks everything, reports all problems together, then builds the engine options. */
export async function planLoad(input: LoadInput, embeddedProxy?: { address: string; port: number }): Promise<LoadPlan> {
  const problems: string[] = [];
  const need = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  need(LOAD_SCENARIOS.includes(input.scenario as LoadScenario), `--scenario ${input.scenario}: use ${LOAD_SCENARIOS.join(', ')}`);
  need(LOAD_TRANSPORTS.includes(input.transport as LoadTransport), `--transport ${input.transport}: the load path speaks ${LOAD_TRANSPORTS.join(', ')}`);
  need(input.arrival === 'constant' || input.arrival === 'poisson', `--arrival ${input.arrival}: use constant or poisson`);
  need(input.calls !== undefined || input.durationS !== undefined, 'a load must be bounded: give --calls N and/or --duration S');
  need(input.calls === undefined || (Number.isInteger(input.calls) && input.calls > 0), '--calls must be a positive integer');
  need(input.durationS === undefined || input.durationS > 0, '--duration must be a positive number of seconds');
  need(input.rate !== undefined || input.ramp !== undefined, 'give --rate CPS (or --ramp stages)');
  need(input.rate === undefined || input.rate > 0, '--rate must be positive');
  need(input.concurrency === undefined || (Number.isInteger(input.concurrency) && input.concurrency > 0), '--concurrency must be a positive integer');
  need(input.holdS >= 0, '--hold must be 0 or more seconds');
  need(input.timeoutS > 0, '--timeout must be positive');
  need(Number.isInteger(input.sockets) && input.sockets >= 1 && input.sockets <= 256, '--sockets must be 1..256');
  need(Number.isInteger(input.workers) && input.workers >= 1 && input.workers <= 64, '--workers must be 1..64');
  need(isIP(input.bind) !== 0, `--bind ${input.bind} is not an IP address`);
  need(input.calleeUri === undefined || /^sips?:/.test(input.calleeUri), `--callee-uri ${input.calleeUri}: expected sip:user@host`);
  let ramp;
  if (input.ramp !== undefined) {
    try {
      ramp = parseRamp(input.ramp);
    } catch (error) {
      problems.push(`--ramp: ${(error as Error).message}`);
    }
  }
  const proxy = embeddedProxy ?? parseHostPort(input.proxy, problems);
  let accounts: EngineOptions['accounts'] = [];
  if (input.accounts === undefined) problems.push('--accounts is required (e.g. u{0001..0200}@lab.test with --password, or a CSV file)');
  else {
    try {
      accounts = await loadAccounts(input.accounts, input.password, input.domain);
      if (accounts.length === 0) problems.push(`--accounts ${input.accounts} has no accounts`);
    } catch (error) {
      if (error instanceof AccountsError || (error as NodeJS.ErrnoException).code === 'ENOENT') problems.push(`--accounts: ${(error as Error).message}`);
      else throw error;
    }
  }
  need(accounts.length === 0 || accounts.length >= input.workers, `--workers ${input.workers} needs at least as many accounts (got ${accounts.length})`);
  const { thresholds, problems: thresholdProblems } = parseThresholds(input.thresholds);
  problems.push(...thresholdProblems);
  if (problems.length > 0 || !proxy) throw new LoadPlanError(problems);
  return {
    workers: input.workers,
    thresholds,
    engine: {
      scenario: input.scenario as LoadScenario,
      transport: input.transport as LoadTransport,
      proxy,
      bindAddress: input.bind,
      domain: input.domain ?? accounts[0]!.domain,
      accounts,
      calleeUri: input.calleeUri,
      rate: input.rate ?? 0,
      arrival: input.arrival as ArrivalKind,
      ramp,
      concurrency: input.concurrency,
      calls: input.calls,
      durationMs: input.durationS === undefined ? undefined : input.durationS * 1000,
      holdMs: input.holdS * 1000,
      timeoutMs: input.timeoutS * 1000,
      registerExpires: input.registerExpires,
      sockets: input.sockets,
      seed: input.seed,
    },
  };
}

function parseHostPort(text: string | undefined, problems: string[]): { address: string; port: number } | undefined {
  if (text === undefined) {
    problems.push('--proxy HOST:PORT is required (or --embedded-proxy)');
    return undefined;
  }
  const match = /^(?:sip:)?([0-9.]+|\[[0-9a-f:]+\]):(\d+)$/i.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || isIP(match[1]!.replace(/^\[|\]$/g, '')) === 0 || !(port > 0 && port < 65536)) {
    problems.push(`--proxy ${text}: expected IP:PORT, e.g. 127.0.0.1:5060`);
    return undefined;
  }
  return { address: match[1]!.replace(/^\[|\]$/g, ''), port };
}
