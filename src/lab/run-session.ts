import { randomBytes } from 'node:crypto';
import { Bot } from '../bot/bot.js';
import { rtpMedia } from '../bot/rtp-media.js';
import { WEBRTC_TRANSPORTS, type BotConfig, type BotMedia, type BotsFile } from '../config/bots-schema.js';
import { ConfigError } from '../config/config-error.js';
import type { Scenario } from '../config/scenario-types.js';
import type { Env } from '../config/env-substitution.js';
import { loadBotsFile } from '../config/load-bots.js';
import { loadScenarioFiles } from '../config/load-scenario.js';
import type { HepTarget } from '../capture/hep-writer.js';
import { EventStream } from '../events/event-stream.js';
import { locateSessionServer, type SessionServer } from './session-server.js';
import { sessionRoute } from './session-route.js';
import { formatEndpoint, type Endpoint, type TlsMaterial, type TransportProtocol } from '../sip/transport/types.js';
import { caseLimits } from '../scenario/case-timeout.js';
import { runScenario } from '../scenario/run-scenario.js';
import type { CaseResult, RunSummary } from '../scenario/result-types.js';
import { systemClock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { embeddedProxyOnlyReason } from './embedded-proxy-only.js';
import { placeOnLoopback } from './lab-addresses.js';
import { RunOutputs } from './run-outputs.js';
import { createRunFolder } from './run-folder.js';
import { expandScenarioPaths } from './scenario-paths.js';
import { runPool } from './suite-pool.js';
import { settleWithinGrace } from '../util/abort-grace.js';
import { sessionProblem } from '../config/problem-text.js';

/**
 * After Ctrl-C or SIGTERM: the cases get this long to hang up their calls, then the bots this long
 * to unregister and stop, whatever the server does (the contract: exit 130 within 5 s).
 */
const INTERRUPT_CASES_GRACE_MS = 1000;
const INTERRUPT_STOP_GRACE_MS = 2000;

export interface SessionOptions {
  botsFile: string;
  /** Scenario files, run in this order. */
  scenarioFiles: readonly string[];
  /** A SIP URI; undefined: the bots file's `server`, else the embedded lab proxy. */
  server?: string;
  /** An outbound proxy (`--outbound-proxy`), replacing the bots file's `outboundProxy` (session-route.ts). */
  outboundProxy?: string;
  /** Every bot's transport; undefined: the server's NAPTR/SRV records choose (RFC 3263 §4.1), else udp. */
  transport?: TransportProtocol;
  /** DNS server for locating `server` (`127.0.0.53:5353`); default the system's resolver. */
  dns?: string;
  /** Address the embedded proxy listens on (127.0.0.1 by default; `::1` runs the lab over IPv6). */
  listen?: string;
  outDir?: string;
  /** `--force`: use a non-empty outDir. */
  force?: boolean;
  /** The caller's ring timer in the no-answer case (CANCEL after this long). */
  ringTimeoutMs?: number;
  /** How long each bot waits for its REGISTER to be answered before the server counts as unreachable. */
  registerTimeoutMs?: number;
  /** Skip TLS certificate verification of an external server. */
  insecure?: boolean;
  /** PEM CA to trust for an external TLS/WSS server, instead of the system's (e.g. a lab's self-signed certificate). */
  ca?: string;
  lang?: 'en' | 'zh';
  /** Also send every SIP message as HEPv3 to a Homer/sngrep collector. */
  hep?: HepTarget;
  /** rtp or webrtc for every bot, none for signaling only; absent: each bot's own `media`. */
  media?: SessionMedia;
  record?: boolean;
  env?: Env;
  logger?: Logger;
  signal?: AbortSignal;
  /**
   * Give each bot without a `bindAddress` its own loopback address (lab-addresses.ts) when the
   * server is on loopback, so the parties are told apart on the wire (the lab does this).
   */
  partyAddresses?: boolean;
  /** Called once the server is located: how, and the target chosen (`NAPTR SIP+D2T → SRV … : tcp 127.0.0.1:5070`). */
  onServer?: (description: string) => void;
  /** Stop starting cases after the first that fails (`--bail`). */
  bail?: boolean;
  /** Run up to this many cases at once, never two sharing a bot (`--parallel N`); default 1. */
  parallel?: number;
  /** Called as each case starts, for a live progress line. */
  onCaseStart?: (caseId: string) => void;
  /** Called after each case, for progress output. */
  onCase?: (result: CaseResult) => void;
  /** Cases the caller left out (the lab against an external server), recorded in the summary. */
  excluded?: RunSummary['excluded'];
}

export type SessionMedia = BotMedia | 'none';

/** The options once the transport is settled (given, or chosen by the server's DNS records). */
type TransportSet = SessionOptions & { transport: TransportProtocol };

export interface SessionRun {
  summary: RunSummary;
  runDir: string;
}

/**
 * Runs scenarios with a set of bots — the whole lab, or one `sipbots run` — unattended: load bots and cases, start the embedded proxy unless a server was
 * given, register every bot, run the cases in order, unregister, and write the run folder.
 * Registration failures throw (RegistrationError / ServerUnreachableError) after the folder
 * holds everything exchanged until then.
 */
export async function runSession(sessionOptions: SessionOptions): Promise<SessionRun> {
  const logger = sessionOptions.logger ?? silentLogger;
  const clock = systemClock;
  const bots = await loadBotsFile(sessionOptions.botsFile, sessionOptions.env);
  const route = sessionRoute(bots, sessionOptions);
  // `${SIPBOTS_RUN_ID}` in a scenario (a header value, a message body): unique per run unless the environment sets it.
  const scenarioEnv = { SIPBOTS_RUN_ID: `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`, ...(sessionOptions.env ?? process.env) };
  const scenarios = await loadScenarioFiles(await expandScenarioPaths(sessionOptions.scenarioFiles), { env: scenarioEnv, bots });
  if (route.server) checkExternalServerScenarios(scenarios);
  const located = route.server ? await locateSessionServer({ ...sessionOptions, server: route.server }, bots, logger) : undefined;
  const options: TransportSet = { ...sessionOptions, server: route.server, transport: located?.transport ?? sessionOptions.transport ?? 'udp' };
  if (located) options.onServer?.(located.describe());
  const accounts = [...bots.bots.values()].map((config) => sessionAccount(config, options));
  checkWebRtcTransport(accounts, options);
  const runDir = await createRunFolder(options.outDir, { force: options.force });
  const events = new EventStream((error) => logger.error({ err: error }, 'an output writer failed'));
  const outputs = new RunOutputs(runDir, events, { lang: options.lang ?? 'en', hep: options.hep });
  const started = new Date();
  const results: CaseResult[] = [];
  let embedded: EmbeddedServer | undefined;
  const running: Bot[] = [];
  let serverText = options.server ?? 'embedded';
  let summary: RunSummary | undefined;
  const lateError = (error: unknown) => logger.warn({ err: error }, 'abandoned after the interrupt');
  try {
    const target = await connectServer(options, located, bots, events, logger);
    embedded = target.embedded;
    serverText = target.uri;
    const media = options.media === 'none' ? undefined : rtpMedia({ events, clock, logger, recordDir: options.record ? runDir : undefined });
    const placed = options.partyAddresses ? await placeOnLoopback(accounts, target.endpoint.address) : accounts;
    for (const account of placed) {
      const locator = located ? located.forBot() : undefined;
      running.push(new Bot({ account, server: target.endpoint, ...(locator && { locator }), ...(route.outboundProxy && { outboundProxy: route.outboundProxy }), events, clock, logger, tls: target.tls, media, registerTimeoutMs: options.registerTimeoutMs }));
    }
    await Promise.all(running.map((bot) => bot.start()));
    // A signal during registration ends it at once: a server that never answers would hold each
    // REGISTER until --register-timeout, and a failure after Ctrl-C is no longer the news.
    const registered = await settleWithinGrace(Promise.all(running.map((bot) => bot.register())), options.signal, 0, lateError).catch((error: unknown) => {
      if (options.signal?.aborted) return { settled: false } as const;
      throw error;
    });
    if (registered.settled) {
      // Once interrupted, the cases get a moment to hang up (CANCEL, BYE), then are left behind.
      const played = await settleWithinGrace(playCases(scenarios, running, embedded, results, events, options), options.signal, INTERRUPT_CASES_GRACE_MS, lateError);
      if (played.settled) results.splice(0, results.length, ...played.value);
    }
  } finally {
    const stopping = Promise.all(running.map((bot) => bot.stop().catch((error: unknown) => logger.warn({ err: error, bot: bot.name }, 'bot did not stop cleanly'))));
    await settleWithinGrace(stopping.then(() => embedded?.stop()), options.signal, INTERRUPT_STOP_GRACE_MS, lateError);
    // Interrupted at any point (registering, ringing, even while stopping) is recorded as such.
    const interrupted = options.signal?.aborted ?? false;
    const cases = [...results];
    summary = {
      passed: cases.length === scenarios.length && cases.every((r) => r.passed) && !interrupted,
      ...(cases.length < scenarios.length && !interrupted ? { skipped: scenarios.filter((s) => !cases.some((r) => r.id === s.id)).map((s) => s.id) } : {}),
      interrupted,
      startedAt: started.toISOString(),
      durationMs: Date.now() - started.getTime(),
      server: serverText,
      ...(located && { serverTarget: running[0]?.serverTarget() ?? located.describe() }),
      ...(route.outboundProxy && { outboundProxy: route.outboundProxy }),
      transport: options.transport,
      serverKind: options.server ? 'external' : 'embedded',
      cases,
      ...(options.excluded && options.excluded.length > 0 ? { excluded: options.excluded } : {}),
    };
    await outputs.finish(summary);
  }
  return { summary, runDir };
}

/** Runs the cases with the registered bots, up to `parallel` at once; `results` fills as each ends. */
async function playCases(scenarios: readonly Scenario[], running: readonly Bot[], embedded: EmbeddedServer | undefined, results: CaseResult[], events: EventStream, options: TransportSet): Promise<CaseResult[]> {
  const clock = systemClock;
  const byName = new Map(running.map((bot) => [bot.name, bot]));
  const parallel = Math.max(1, options.parallel ?? 1);
  const allBots = [...byName.keys()];
  return runPool(
    scenarios,
    {
      parallel,
      // Proxy settings are the whole proxy's: such a case runs alone.
      botsOf: (scenario) => (Object.keys(scenario.proxy).length === 0 ? [...new Set(Object.values(scenario.roles))] : allBots),
      stop: () => (options.signal?.aborted ?? false) || (options.bail === true && results.some((r) => !r.passed)),
    },
    async (scenario) => {
      options.onCaseStart?.(scenario.id);
      const played = withRingTimeout(scenario, options.ringTimeoutMs);
      const limits = caseLimits(played, byName);
      const result = await runScenario(played, {
        bots: byName,
        events,
        clock,
        signal: options.signal,
        media: options.media !== 'none',
        stepTimeoutMs: limits.stepMs,
        timeoutMs: limits.caseMs,
        tagEvents: parallel === 1,
        configureProxy: embedded
          ? (settings) => {
              embedded.proxy.setInviteTimeout(settings.inviteTimeoutMs);
              embedded.proxy.setCancelledInviteStatus(settings.cancelledInviteStatus);
            }
          : undefined,
      });
      results.push(result);
      options.onCase?.(result);
      return result;
    },
  );
}

/** A scenario asking for what only the embedded proxy does cannot pass against another server: say so before anything starts. */
function checkExternalServerScenarios(scenarios: readonly Scenario[]): void {
  const problems = scenarios.flatMap((scenario) => {
    const reason = embeddedProxyOnlyReason(scenario.proxy);
    return reason === undefined ? [] : [{ file: scenario.file, path: 'proxy.cancelledInviteStatus', ...sessionProblem.embeddedProxyOnly(reason) }];
  });
  if (problems.length > 0) throw new ConfigError(problems);
}

/** A bot as this session runs it: the session's transport, and its media when one is forced. */
function sessionAccount(config: BotConfig, options: TransportSet): BotConfig {
  const media = options.media === 'rtp' || options.media === 'webrtc' ? { media: options.media } : {};
  return { ...config, transport: options.transport, ...media };
}

/** WebRTC bots are browser-style endpoints: they signal over WebSocket (RFC 7118), never UDP/TCP/TLS. */
function checkWebRtcTransport(accounts: readonly BotConfig[], options: TransportSet): void {
  if (options.media === 'none' || WEBRTC_TRANSPORTS.includes(options.transport)) return;
  const webrtc = accounts.filter((a) => a.media === 'webrtc');
  if (webrtc.length === 0) return;
  if (options.media === 'webrtc') {
    throw new ConfigError([{ file: '--media', path: '', ...sessionProblem.webrtcMediaOption(options.transport) }]);
  }
  throw new ConfigError(webrtc.map((a) => ({ file: options.botsFile, path: `bots.${a.name}.media`, ...sessionProblem.webrtcBot(a.name, options.transport) })));
}

interface ServerTarget {
  endpoint: Endpoint;
  uri: string;
  tls?: TlsMaterial;
  embedded?: EmbeddedServer;
}

async function connectServer(options: TransportSet, located: SessionServer | undefined, bots: BotsFile, events: EventStream, logger: Logger): Promise<ServerTarget> {
  if (options.server && located) {
    return { endpoint: located.first, uri: options.server, tls: { rejectUnauthorized: !options.insecure, ...(options.ca !== undefined && { ca: options.ca }), ...(located.servername !== undefined && { servername: located.servername }) } };
  }
  const users = new Map([...bots.bots.values()].map((b) => [b.authUser, b.password] as const));
  const domain = bots.bots.values().next().value?.domain ?? 'lab.test';
  const embedded = await startEmbeddedServer({ transports: [options.transport], users, domain, events, logger, ...(options.listen ? { bindAddress: options.listen } : {}) });
  const endpoint = embedded.endpoints.get(options.transport)!;
  const uri = `sip:${formatEndpoint(endpoint)};transport=${options.transport}`;
  // Trust exactly the embedded proxy's throw-away certificate, nothing else.
  return { endpoint, uri, embedded, tls: embedded.certificate ? { ca: embedded.certificate, servername: 'lab.test' } : undefined };
}

function withRingTimeout(scenario: Scenario, ringTimeoutMs: number | undefined): Scenario {
  if (ringTimeoutMs === undefined || scenario.id !== 'no-answer') return scenario;
  return { ...scenario, steps: scenario.steps.map((s) => (s.kind === 'call' && s.cancelAfterMs !== undefined ? { ...s, cancelAfterMs: ringTimeoutMs } : s)) };
}
