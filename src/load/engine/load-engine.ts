import { randomBytes } from 'node:crypto';
import { formatEndpoint, type Endpoint } from '../../sip/transport/types.js';
import type { LoadAccount } from '../plan/accounts.js';
import { seededRandom } from '../../util/seeded-random.js';
import { ArrivalLoop, type ArrivalPlan, type EngineProgress } from './arrival-loop.js';
import type { CallScript } from './call-script.js';
import { CalleeSide } from './callee.js';
import { ClientCall } from './client-call.js';
import { CalleeRegistrations } from './callee-registrations.js';
import { ClientRequest, type ClientRequestSpec } from './client-request.js';
import { DigestCache } from './digest-cache.js';
import { recordMs } from '../results/histograms.js';
import { IdSource, type BoundLink, type EngineContext, type ResponseHandler } from './load-context.js';
import { openLoadLink, type LoadLink, type LoadTlsOptions, type LoadTransport } from './load-link.js';
import { LoadStats, type StatsSnapshot } from '../results/load-stats.js';
import { ServerWatch, type ServerSilence } from './server-watch.js';
import { scanSipMessage, type ScannedMessage } from './sip-scan.js';
import { plainResponseTo, requestTemplates, responseTemplates, type LocalParty } from './templates.js';
import { TimerWheel } from './timer-wheel.js';
import { wheelClock } from './wheel-clock.js';
import type { LinkTap } from './wire-tap.js';
import { LoadMedia, type LoadMediaOptions } from '../media/load-media.js';
import { MediaStats } from '../results/media-stats.js';

export type { EngineProgress } from './arrival-loop.js';

export type LoadScenario = 'call' | 'register' | 'options';
export const LOAD_SCENARIOS: readonly LoadScenario[] = ['call', 'register', 'options'];

/** Everything one engine (one thread) needs; plain data, so it can be posted to a worker. */
export interface EngineOptions extends ArrivalPlan {
  scenario: LoadScenario;
  transport: LoadTransport;
  /** TLS and WSS: what the client trusts (certificate verification is on unless this says otherwise). */
  tls?: LoadTlsOptions;
  proxy: Endpoint;
  bindAddress: string;
  /** Domain of REGISTER's Request-URI and of OPTIONS pings without --callee-uri. */
  domain: string;
  accounts: LoadAccount[];
  /** Call (or ping) this URI instead of our own registered callees. */
  calleeUri?: string;
  /** `call` from a scenario file (--scenario FILE): caller actions, callee behaviour, expected end. */
  script?: CallScript;
  registerExpires: number;
  /** Caller sockets; bots are spread over them round-robin. */
  sockets: number;
  seed?: number;
  /** Put before every Call-ID, tag and branch (a shard's `sI-`), so that processes never share ids. */
  idPrefix?: string;
  /** `--media rtp`: a tone both ways in every answered call, judged per call. */
  media?: LoadMediaOptions;
}

export class LoadSetupError extends Error {
  constructor(
    message: string,
    readonly failures: Record<string, number>,
  ) {
    super(message);
    this.name = 'LoadSetupError';
  }
}

export interface EngineHooks {
  /** Called once a second while arrivals run, and once at the end. */
  onProgress?: (progress: EngineProgress) => void;
  /**
   * Interruption: stop starting arrivals, hang up every call now (CANCEL while ringing, BYE once
   * answered) instead of at the end of --hold, unregister the callees, all within INTERRUPT_GRACE_MS each.
   */
  signal?: AbortSignal;
  /** --capture: every link the engine opens goes through this tap. */
  tap?: LinkTap;
}

/** The timer wheel's resolution, and the shortest gap between two ticks (see TickScheduler). */
const TICK_MS = 1;
/** Once interrupted, hang-ups and then unregistrations get this long each: the process exits within 5 s. */
const INTERRUPT_GRACE_MS = 1500;
const WATCH_EVERY_MS = 250;

/**
 * One event loop's worth of load: caller links, an optional callee link, one timer wheel, and
 * an ArrivalLoop that advances it and starts due arrivals. Messages are read with the lean
 * scanner and dispatched by Call-ID; nothing is logged per message.
 */
export class LoadEngine {
  private readonly stats = new LoadStats();
  private readonly clients = new Map<string, ResponseHandler>();
  private readonly ctx: EngineContext;
  private readonly callers: BoundLink[] = [];
  private callee?: { bound: BoundLink; side: CalleeSide };
  private readonly links: LoadLink[] = [];
  private nextLink = 0;
  private readonly random: () => number;
  /** Notices a server that stopped answering; `stopped` then says what was seen. */
  private readonly watch: ServerWatch;
  private nextWatchAt = 0;
  private stopped: ServerSilence | undefined;
  /** Callee registrations that timed out (not in the measured counters, but evidence for the watch). */
  private setupTimeouts = 0;
  private registrations: CalleeRegistrations | undefined;

  constructor(
    private readonly options: EngineOptions,
    private readonly hooks: EngineHooks = {},
  ) {
    this.random = options.seed !== undefined ? seededRandom(options.seed) : Math.random;
    const prefix = `${options.idPrefix ?? ''}${randomBytes(4).toString('hex')}`;
    const now = (): number => performance.now();
    const wheel = new TimerWheel(TICK_MS, now());
    this.ctx = {
      now,
      wheel,
      clock: wheelClock(wheel, now),
      stats: this.stats,
      ids: new IdSource(prefix),
      digest: new DigestCache(prefix),
      clients: this.clients,
      timeoutMs: options.timeoutMs,
      holdMs: options.holdMs,
    };
    if (options.media && options.scenario === 'call') {
      this.stats.media = new MediaStats();
      this.ctx.media = new LoadMedia(options.media, options.bindAddress, this.stats.media, options.calleeUri === undefined, Math.random, this.ctx.now, undefined, hooks.tap);
    }
    this.watch = new ServerWatch(`${options.proxy.address}:${options.proxy.port}`, options.timeoutMs, this.ctx.now());
  }

  /** Opens sockets, registers callees, runs the arrivals to the end, unregisters, closes. */
  async run(): Promise<StatsSnapshot> {
    try {
      await this.open();
      if (this.callee) await this.withTicker(() => this.registerCallees());
      if (!this.hooks.signal?.aborted) await this.runArrivals();
      // A server found dead gets no unregistrations: each would only wait out its timer.
      if (this.registrations && !this.stopped) await this.withTicker(() => this.registrations!.unregister());
    } finally {
      this.registrations?.stopRefreshing();
      // Media first: legs still running are judged before the snapshot is taken.
      await this.ctx.media?.close();
      await Promise.all(this.links.map((link) => link.close()));
    }
    return this.stats.snapshot();
  }

  /** Outside the arrival phase (which has its own tick) the wheel still needs advancing. */
  private async withTicker<T>(work: () => Promise<T>): Promise<T> {
    const ticker = setInterval(() => {
      const now = this.ctx.now();
      this.ctx.wheel.advance(now);
      this.watchServer(now);
    }, 5);
    try {
      return await work();
    } finally {
      clearInterval(ticker);
    }
  }

  private async open(): Promise<void> {
    const { options } = this;
    const sdpHost = options.bindAddress;
    for (let i = 0; i < Math.max(1, options.sockets); i++) {
      const link = this.tapped(await openLoadLink(options.transport, options.proxy, options.bindAddress, options.tls), `caller-${i}`);
      this.links.push(link);
      const party = partyOf(link);
      this.callers.push({ link, party, templates: requestTemplates(party, sdpHost) });
      link.onMessage((raw) => this.onMessage(raw, undefined, link));
    }
    if (options.scenario === 'call' && options.calleeUri === undefined) {
      const link = this.tapped(await openLoadLink(options.transport, options.proxy, options.bindAddress, options.tls), 'callee');
      this.links.push(link);
      const party = partyOf(link);
      const bound = { link, party, templates: requestTemplates(party, sdpHost) };
      const side = new CalleeSide(this.ctx, bound, responseTemplates(party, sdpHost), options.script?.callee);
      this.callee = { bound, side };
      this.registrations = new CalleeRegistrations(
        {
          ctx: this.ctx,
          bound,
          signal: this.hooks.signal,
          graceMs: INTERRUPT_GRACE_MS,
          serverStopped: () => this.stopped !== undefined,
          onTimeout: () => this.setupTimeouts++,
        },
        options.accounts,
        options.registerExpires,
      );
      link.onMessage((raw) => this.onMessage(raw, side, link));
    }
  }

  private tapped(link: LoadLink, role: string): LoadLink {
    return this.hooks.tap ? this.hooks.tap.wrap(link, role, this.options.proxy) : link;
  }

  private onMessage(raw: string, callee: CalleeSide | undefined, link: LoadLink): void {
    let m: ScannedMessage;
    try {
      m = scanSipMessage(raw);
    } catch {
      this.stats.counters.unparsable++;
      return;
    }
    const now = this.ctx.now();
    this.watch.lastHeardAt = now;
    if (m.status === 0) {
      if (callee) callee.onRequest(m, now);
      else this.onCallerRequest(m, now, link);
      return;
    }
    // The answer to a callee's own BYE (scenario hangupAfter) shares its Call-ID with the caller's call.
    if (callee?.onResponse(m, now)) return;
    const handler = this.clients.get(m.callId);
    if (handler) handler.onResponse(m, now);
    else this.stats.counters.stray++;
  }

  /**
   * A request on a caller link: the callee's BYE within a call (scenario hangupAfter). A BYE
   * for a call already over is the callee retransmitting because our 200 was lost: a server
   * transaction would answer it from its cache for 64·T1 (RFC 3261 §17.2.2), so it gets 200
   * again, as the callee side does, instead of leaving the callee's BYE to time out.
   */
  private onCallerRequest(m: ScannedMessage, now: number, link: LoadLink): void {
    const handler = this.clients.get(m.callId);
    if (handler?.onRequest) return handler.onRequest(m, now);
    this.stats.counters.stray++;
    if (m.method === 'BYE') link.send(plainResponseTo(m, '200 OK'));
  }

  /** REGISTER every callee account (see CalleeRegistrations); a server that never answered is named as such. */
  private async registerCallees(): Promise<void> {
    const failures = await this.registrations!.register();
    const failed = Object.values(failures).reduce((a, b) => a + b, 0);
    // All of them may have timed out together, between two looks: ask the watch now why.
    if (failed > 0 && !this.stopped) {
      this.nextWatchAt = 0;
      this.watchServer(this.ctx.now());
    }
    if (this.stopped) throw new LoadSetupError(`callee registration: ${this.stopped.message}`, failures);
    if (failed > 0 && !this.hooks.signal?.aborted) {
      throw new LoadSetupError(`${failed} of ${this.options.accounts.length} callee registrations failed: ${JSON.stringify(failures)}`, failures);
    }
  }

  /** A few times a second: is the server still there? (see ServerWatch) */
  private watchServer(now: number): void {
    if (now < this.nextWatchAt || this.stopped) return;
    this.nextWatchAt = now + WATCH_EVERY_MS;
    let sendErrors = 0;
    for (const link of this.links) sendErrors += link.sendErrors;
    this.stopped = this.watch.check({ now, sendErrors, timeouts: this.stats.counters.timeouts + this.setupTimeouts, waiting: this.clients.size });
    if (this.stopped) this.stats.serverStopped = this.stopped;
  }

  /** Calls counted as failed while still under way: none of their timers may fire (and count them) again. */
  private abandonAll(): void {
    for (const handler of this.clients.values()) handler.abandon();
    this.clients.clear();
  }

  /** Interrupted: every call ends now (CANCEL or BYE, see ClientCall.hangUp); requests just finish. */
  private hangUpAll(now: number): void {
    for (const handler of this.clients.values()) handler.hangUp?.(now);
  }

  private runArrivals(): Promise<void> {
    const { options, hooks } = this;
    const loop = new ArrivalLoop(
      { ...options, spanMs: options.script?.spanMs, graceMs: INTERRUPT_GRACE_MS, random: this.random },
      {
        ctx: this.ctx,
        signal: hooks.signal,
        onProgress: hooks.onProgress,
        startArrival: (index, scheduledAt) => this.startArrival(index, scheduledAt),
        watchServer: (now) => this.watchServer(now),
        nextWatchAt: () => this.nextWatchAt,
        serverStopped: () => this.stopped !== undefined,
        hangUpAll: (now) => this.hangUpAll(now),
        abandonAll: () => this.abandonAll(),
      },
    );
    return loop.run();
  }

  private startArrival(index: number, scheduledAt: number): void {
    const { options } = this;
    const accounts = options.accounts;
    const caller = accounts[index % accounts.length]!;
    const bound = this.callers[this.nextLink++ % this.callers.length]!;
    this.stats.counters.attempted++;
    this.stats.counters.active++;
    if (options.scenario === 'call') {
      const callee = accounts[(index + Math.floor(accounts.length / 2)) % accounts.length]!;
      const uri = options.calleeUri ?? `sip:${callee.user}@${callee.domain}`;
      new ClientCall(this.ctx, bound, caller, uri, scheduledAt, options.script?.caller).start();
      return;
    }
    const spec: ClientRequestSpec =
      options.scenario === 'register'
        ? { method: 'REGISTER', account: caller, ruri: `sip:${caller.domain}`, to: `sip:${caller.user}@${caller.domain}`, expires: options.registerExpires, scheduledAt, measure: true }
        : { method: 'OPTIONS', account: caller, ruri: options.calleeUri ?? `sip:${options.domain}`, to: options.calleeUri ?? `sip:${options.domain}`, scheduledAt, measure: true };
    new ClientRequest(this.ctx, bound, spec, (result) => {
      if (result.ok) recordMs(this.stats.histograms[spec.method === 'REGISTER' ? 'register' : 'options'], result.elapsedMs);
      if (result.ok) this.stats.succeed();
      else this.stats.fail(result.reason ?? `${spec.method} failed`);
    }).start();
  }
}

function partyOf(link: LoadLink): LocalParty {
  const hostPort = formatEndpoint(link.local);
  return { viaTransport: link.protocol.toUpperCase(), hostPort, contactParams: link.protocol === 'udp' ? '' : `;transport=${link.protocol}` };
}
