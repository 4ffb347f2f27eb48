import { isIP } from 'node:net';
import { dnsLookups } from '../../sip/locate/dns-server.js';
import { describeTarget, familyOf, locateServer, type ServerTarget } from '../../sip/locate/locate-server.js';
import { parseServerUri, ServerUriError } from '../../sip/server-uri.js';
import { loopbackFor } from '../../sip/transport/socket-helpers.js';
import { ConfigError } from '../../config/config-error.js';
import type { Env } from '../../config/env-substitution.js';
import { InputFileError, readInputText } from '../../util/input-file.js';
import { AccountsError, loadAccounts } from './accounts.js';
import type { CallScript } from '../engine/call-script.js';
import { parseRamp, type ArrivalKind, type RampStage } from '../engine/arrivals.js';
import { LOAD_SCENARIOS, type EngineOptions, type LoadScenario } from '../engine/load-engine.js';
import { LOAD_TRANSPORTS, type LoadTlsOptions, type LoadTransport } from '../engine/load-link.js';
import { parseShard, shardOptions, shardProblems, type ShardSpec } from './shard.js';
import { parseThresholds, type Threshold } from '../results/thresholds.js';
import { pairsIn, type LoadMediaOptions } from '../media/load-media.js';

/** `sipbots load` options as typed on the command line (strings and numbers, unchecked). */
export interface LoadInput {
  /** A SIP URI or HOST[:PORT]; a name without port is located through DNS (RFC 3263). */
  proxy?: string;
  /** DNS server that locates `proxy` (`127.0.0.53:5353`); default the system's resolver. */
  dns?: string;
  /** `call`, `register`, `options`, or the path of a scenario file with one call step. */
  scenario: string;
  /** Where a scenario file's `${VAR}` references are resolved (default: the process environment). */
  env?: Env;
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
  /** Given: every socket's transport. Absent: the one the proxy's NAPTR/SRV records choose, else udp. */
  transport?: string;
  /** TLS/WSS: PEM file of the CA (or self-signed certificate) to trust instead of the system's. */
  ca?: string;
  /** TLS/WSS: do not verify the proxy's certificate. */
  insecure?: boolean;
  sockets: number;
  workers: number;
  thresholds: string[];
  seed?: number;
  /** Local address of every socket; default the loopback of the proxy's family. */
  bind?: string;
  /** `I/N`: run shard I (from 0) of N processes. */
  shard?: string;
  /** `none` or `rtp`: a G.711 tone both ways in every answered call. */
  media?: string;
  /** `LOW-HIGH`: the UDP ports media legs bind (RTP even, RTCP odd). */
  rtpPorts?: string;
  /** `--capture` was given (a run folder records the run). */
  capture?: boolean;
  /** `--capture-rtp N`: the capture records the RTP of the first N calls only. */
  captureRtp?: number;
}

export interface LoadPlan {
  /** What this process runs: the whole load, or with --shard its share. */
  engine: EngineOptions;
  workers: number;
  thresholds: Threshold[];
  shard?: ShardSpec;
  /** With --shard: the options of the whole load, before splitting. */
  whole?: EngineOptions;
  /** How a named `--proxy` was located: `SRV _sip._udp.lab.test → udp 127.0.0.1:5070 (pbx.lab.test)`. */
  proxyLocated?: string;
}

/** Thrown with every problem of the command line at once (k6's validate()). */
export class LoadPlanError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid load options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'LoadPlanError';
  }
}

/** Checks everything, reports all problems together, then builds the engine options. */
/** The embedded proxy of `--embedded-proxy`: where it listens, and its throw-away certificate for TLS/WSS. */
export interface EmbeddedTarget {
  address: string;
  port: number;
  certificate?: string;
}

export async function planLoad(input: LoadInput, embeddedProxy?: EmbeddedTarget): Promise<LoadPlan> {
  const problems: string[] = [];
  const need = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const builtin = LOAD_SCENARIOS.includes(input.scenario as LoadScenario);
  const script = builtin ? undefined : await scenarioScript(input, problems);
  need(input.transport === undefined || LOAD_TRANSPORTS.includes(input.transport as LoadTransport), `--transport ${input.transport}: the load path speaks ${LOAD_TRANSPORTS.join(', ')}`);
  need(input.bind === undefined || isIP(input.bind) !== 0, `--bind ${input.bind} is not an IP address`);
  const located = embeddedProxy ? undefined : await locateProxy(input, problems);
  const transport = (input.transport ?? located?.target.transport ?? 'udp') as LoadTransport;
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
  need(input.calleeUri === undefined || /^sips?:/.test(input.calleeUri), `--callee-uri ${input.calleeUri}: expected sip:user@host`);
  let ramp;
  if (input.ramp !== undefined) {
    try {
      ramp = parseRamp(input.ramp);
    } catch (error) {
      problems.push(`--ramp: ${(error as Error).message}`);
    }
  }
  need(!(input.insecure === true && input.ca !== undefined), '--ca and --insecure together: trust a CA, or skip verification, not both');
  const target = embeddedProxy ?? located?.target;
  const proxy = target && { address: target.address, port: target.port };
  const tls = await tlsOptions(input, transport, embeddedProxy, located?.servername, problems);
  let shard: ShardSpec | undefined;
  if (input.shard !== undefined) {
    const parsed = parseShard(input.shard);
    if ('problem' in parsed) problems.push(parsed.problem);
    else shard = parsed;
  }
  let accounts: EngineOptions['accounts'] = [];
  if (input.accounts === undefined) problems.push('--accounts is required (e.g. u{0001..0200}@lab.test with --password, or a CSV file)');
  else {
    try {
      accounts = await loadAccounts(input.accounts, input.password, input.domain);
      if (accounts.length === 0) problems.push(`--accounts ${input.accounts} has no accounts`);
    } catch (error) {
      if (error instanceof AccountsError || error instanceof InputFileError) problems.push(`--accounts: ${(error as Error).message}`);
      else throw error;
    }
  }
  need(accounts.length === 0 || accounts.length >= input.workers, `--workers ${input.workers} needs at least as many accounts (got ${accounts.length})`);
  const { thresholds, problems: thresholdProblems } = parseThresholds(input.thresholds);
  problems.push(...thresholdProblems);
  const concurrency = input.concurrency ?? defaultConcurrency(builtin ? (input.scenario as LoadScenario) : 'call', input.rate ?? 0, ramp, input.holdS);
  const media = mediaOptions(input, { builtin, script: script !== undefined, concurrency }, problems);
  if (!media) for (const t of thresholds) if (t.media) problems.push(`--threshold ${t.expression}: a media metric needs --media rtp`);
  if (problems.length > 0 || !proxy) throw new LoadPlanError(problems);
  return withShard(shard, {
    ...(located && located.route !== 'numeric' ? { proxyLocated: `${located.route} → ${describeTarget(located.target)}` } : {}),
    workers: input.workers,
    thresholds,
    engine: {
      scenario: builtin ? (input.scenario as LoadScenario) : 'call',
      ...(script && { script }),
      transport,
      ...(tls && { tls }),
      proxy,
      bindAddress: input.bind ?? loopbackFor(proxy.address),
      domain: input.domain ?? accounts[0]!.domain,
      accounts,
      calleeUri: input.calleeUri,
      rate: input.rate ?? 0,
      arrival: input.arrival as ArrivalKind,
      ramp,
      concurrency,
      calls: input.calls,
      durationMs: input.durationS === undefined ? undefined : input.durationS * 1000,
      holdMs: input.holdS * 1000,
      timeoutMs: input.timeoutS * 1000,
      registerExpires: input.registerExpires,
      sockets: input.sockets,
      seed: input.seed,
      ...(media && { media }),
    },
  });
}

/** Spare pairs over two per call: a released pair is reused at once, but a burst may outrun the releases. */
const SPARE_PAIRS = 16;

/**
 * `--media rtp` (or `echo`): calls only; a hold long enough to judge (tone detection reads the last 200 ms);
 * the pool holds two pairs per concurrent call (caller and callee side), from --rtp-ports
 * when given, each worker thread a block of it of its own.
 */
function mediaOptions(input: LoadInput, what: { builtin: boolean; script: boolean; concurrency: number }, problems: string[]): LoadMediaOptions | undefined {
  const kind = input.media ?? 'none';
  const captureRtp = input.captureRtp;
  if (captureRtp !== undefined) {
    if (!(Number.isInteger(captureRtp) && captureRtp >= 0)) problems.push(`--capture-rtp ${captureRtp}: give a number of calls, 0 or more`);
    if (input.capture !== true) problems.push(`--capture-rtp ${captureRtp} without --capture: there is no run folder to record the RTP in`);
    if (kind === 'none') problems.push(`--capture-rtp ${captureRtp} without --media rtp: there is no RTP to record`);
  }
  if (kind === 'none') {
    if (input.rtpPorts !== undefined) problems.push('--rtp-ports without --media rtp: there is no media to give ports to');
    return undefined;
  }
  if (kind !== 'rtp' && kind !== 'echo') {
    problems.push(`--media ${kind}: use none, rtp or echo`);
    return undefined;
  }
  if (kind === 'echo' && input.calleeUri === undefined) problems.push('--media echo is for a callee that echoes RTP (SIPp -rtp_echo) given with --callee-uri; our own callees send a tone of their own (--media rtp)');
  if (what.builtin && input.scenario !== 'call') problems.push(`--media rtp with --scenario ${input.scenario}: only calls carry media`);
  if (!what.script && input.holdS < 0.5) problems.push(`--media rtp with --hold ${input.holdS}: each side judges the last 200 ms it heard; give --hold 0.5 or more`);
  const maxPairs = 2 * what.concurrency + SPARE_PAIRS;
  const capture = captureRtp !== undefined ? { captureCalls: captureRtp } : {};
  if (input.rtpPorts === undefined) return { kind, maxPairs, ...capture };
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(input.rtpPorts);
  const range: [number, number] | undefined = match ? [Number(match[1]), Number(match[2])] : undefined;
  if (!range || range[0] < 1024 || range[1] > 65535 || range[0] >= range[1]) {
    problems.push(`--rtp-ports ${input.rtpPorts}: expected LOW-HIGH with 1024 <= LOW < HIGH <= 65535, e.g. 40000-49999`);
    return undefined;
  }
  const pairs = pairsIn(range);
  if (pairs < 2 * input.workers) problems.push(`--rtp-ports ${input.rtpPorts} holds ${pairs} RTP/RTCP pairs; every call needs two (caller and callee), and each of --workers ${input.workers} threads its own`);
  return { kind, portRange: range, maxPairs: Math.min(pairs, maxPairs), ...capture };
}

/**
 * `--scenario FILE`: the lab's scenario format, validated as `sipbots lab` does (every problem
 * with file and line), then compiled for the lean path or refused with the reasons.
 */
async function scenarioScript(input: LoadInput, problems: string[]): Promise<CallScript | undefined> {
  const file = input.scenario;
  // YAML and the scenario schema (zod) are loaded only for a scenario file: a built-in load's memory stays lean.
  const [{ loadScenarioFile }, { compileScenario, ScenarioCompileError }] = await Promise.all([import('../../config/load-scenario.js'), import('./compile-scenario.js')]);
  try {
    const scenario = await loadScenarioFile(file, input.env);
    return compileScenario(scenario, input.calleeUri === undefined ? {} : { calleeUri: input.calleeUri });
  } catch (error) {
    if (error instanceof ScenarioCompileError) {
      problems.push(...error.reasons.map((reason) => `--scenario ${file} cannot be played under load: ${reason}`));
    } else if (error instanceof ConfigError) {
      const missing = error.problems.length === 1 && error.problems[0]!.message === 'file not found';
      if (missing) problems.push(`--scenario ${file}: not ${LOAD_SCENARIOS.join(', ')}, nor a scenario file (file not found)`);
      else problems.push(...error.message.split('\n').map((line) => `--scenario: ${line}`));
    } else throw error;
    return undefined;
  }
}

/** With --shard, this process runs its share; the whole plan stays for the results. */
function withShard(shard: ShardSpec | undefined, plan: LoadPlan): LoadPlan {
  if (!shard) return plan;
  const problems = shardProblems(plan.engine, plan.workers, shard);
  if (plan.thresholds.length > 0) problems.push('--threshold with --shard: thresholds judge the whole load, give them to sipbots merge');
  if (problems.length > 0) throw new LoadPlanError(problems);
  return { ...plan, engine: shardOptions(plan.engine, shard), shard, whole: plan.engine };
}

/**
 * `--proxy` located once, as RFC 3263 says and as lab and run do (src/sip/locate): IP:PORT is
 * taken as it is; HOST:PORT (a Service in Kubernetes or compose) is looked up AAAA/A; a name
 * without port (`lab.test`, `sip:lab.test;transport=tcp`) through NAPTR and SRV first. The load
 * sends to the first target: it is a measurement, so it does not move on to another.
 */
async function locateProxy(input: LoadInput, problems: string[]): Promise<{ target: ServerTarget; route: string; servername?: string } | undefined> {
  const text = input.proxy;
  if (text === undefined) {
    problems.push('--proxy HOST:PORT is required (or --embedded-proxy)');
    return undefined;
  }
  try {
    const host = parseServerUri(text).host;
    const chosen = LOAD_TRANSPORTS.includes(input.transport as LoadTransport) ? (input.transport as LoadTransport) : undefined;
    const located = await locateServer(text, {
      ...(chosen && { transport: chosen }),
      preferFamily: familyOf(input.bind),
      dns: dnsLookups(input.dns),
      systemFallback: input.dns === undefined,
      now: () => Date.now(),
    });
    const target = located.targets[0]!;
    if (!LOAD_TRANSPORTS.includes(target.transport as LoadTransport)) {
      problems.push(`--proxy ${text}: DNS chose ${target.transport}, which the load path does not speak (give --transport ${LOAD_TRANSPORTS.join('|')})`);
      return undefined;
    }
    // The name, not the address it resolved to, is what a TLS certificate names.
    return { target, route: located.route, ...(isIP(host) === 0 && { servername: host }) };
  } catch (error) {
    if (error instanceof ServerUriError) problems.push(`--proxy ${text}: ${error.reason}`);
    else problems.push(`--proxy ${text}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * TLS and WSS verify the proxy's certificate by default, like `sipbots lab`: against `--ca`
 * when given, else the system's CAs; `--insecure` turns verification off. The embedded proxy's
 * own throw-away certificate is trusted exactly, and nothing else.
 */
async function tlsOptions(input: LoadInput, transport: LoadTransport, embedded: EmbeddedTarget | undefined, servername: string | undefined, problems: string[]): Promise<LoadTlsOptions | undefined> {
  if (transport !== 'tls' && transport !== 'wss') return undefined;
  if (embedded?.certificate !== undefined) return { ca: embedded.certificate, servername: 'lab.test' };
  let ca: string | undefined;
  if (input.ca !== undefined) {
    try {
      ca = await readInputText(input.ca, 'config');
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      problems.push(`--ca ${input.ca}: cannot read the CA file (${error.reason})`);
    }
  }
  return { rejectUnauthorized: input.insecure !== true, ...(ca !== undefined && { ca }), ...(servername !== undefined && { servername }) };
}

/**
 * The cap when --concurrency is not given, like SIPp's -l: what the peak rate keeps busy for a
 * call's hold plus 8 s of setup and teardown; for a REGISTER or OPTIONS, which has no hold,
 * 3 s (SIPp's default is 3 × rate × call length, the length taken as at least 1 s). A server
 * that slows down then sees arrivals wait (counted as `delayed`, still timed from their
 * schedule) instead of an ever larger pile of open transactions: each holds its request, so
 * without a cap of its own a stalled registrar at 4,000 REGISTERs/s let 36,000 pile up and a
 * 64 MB heap run out (issue 17).
 */
export function defaultConcurrency(scenario: LoadScenario, rate: number, ramp: readonly RampStage[] | undefined, holdS: number): number {
  const peak = Math.max(rate, ...(ramp ?? []).map((stage) => stage.rate));
  const busyS = scenario === 'call' ? holdS + 8 : REQUEST_BUSY_S;
  return Math.max(1, Math.ceil(peak * busyS));
}

/** Seconds of the default cap for a REGISTER or OPTIONS arrival (SIPp: 3 × at least 1 s). */
export const REQUEST_BUSY_S = 3;
