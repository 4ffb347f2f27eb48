import type { EventStream } from '../events/event-stream.js';
import { sipMessageEvent } from '../sip/message/message-event.js';
import { createReliableSocket } from '../sip/reliability/reliable-socket.js';
import type { ReliableSipSocket } from '../sip/reliability/types.js';
import type { SipTimerValues } from '../sip/transaction/timer-policy.js';
import { createSipSocket } from '../sip/transport/create-sip-socket.js';
import { formatEndpoint, type Endpoint, type TlsMaterial } from '../sip/transport/types.js';
import type { IncomingCall } from '../sip/ua/incoming-call.js';
import type { OutgoingCall } from '../sip/ua/outgoing-call.js';
import { callIdOfSession, type SessionDescriptionHandlerFactory } from '../sip/ua/session-description-handler.js';
import { SignalingOnlySdh } from '../media/signaling-only-sdh.js';
import { SipUserAgent } from '../sip/ua/user-agent.js';
import type { OutOfDialogMethod } from '../sip/ua/out-of-dialog-request.js';
import type { RequestContent } from '../sip/ua/request-content.js';
import type { ResponseLine } from '../sip/ua/response-line.js';
import type { SubscribeOutcome } from '../sip/ua/subscription.js';
import { systemClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { CalleeBehaviour, Rel100 } from '../config/behaviour.js';
import type { BotConfig } from '../config/bots-schema.js';
import type { Call } from './call.js';
import { boundForServer } from './server-address.js';
import { failoverFinding, failoverReason } from './failover.js';
import type { ServerLocator } from '../sip/locate/server-locator.js';
import { isSdpError } from './callee-policy.js';
import { lateAnswerFinding, placeCall, type CallPlacer } from './place-call.js';
import { receiveCall } from './receive-call.js';
import { settleWithin } from '../util/settle-within.js';
import { AccountRegistration, type RegistrationHost } from './account-registration.js';
import { createBotNat } from './nat/bot-nat.js';
import type { NatTraversal } from './nat/nat-traversal.js';
import type { MediaNatHints } from '../media/nat/rtp-latch.js';

/** Builds the media side of one call; the media layer supplies it (tone RTP), or none. */
export type MediaFactoryBuilder = (bot: BotConfig, callIdOf: (session: unknown) => string, nat?: MediaNatHints) => SessionDescriptionHandlerFactory;

export interface BotOptions {
  account: BotConfig;
  /** Registrar and outbound proxy: every request goes there (the first target, with a `locator`). */
  server: Endpoint;
  /** The server as RFC 3263 located it: its next target on failure, a fresh lookup after the TTL. */
  locator?: ServerLocator;
  /** `server` is this outbound proxy (a SIP URI): requests outside a dialog carry a Route to it (RFC 3261 §8.1.2). */
  outboundProxy?: string;
  events: EventStream;
  clock?: Clock;
  logger?: Logger;
  timers?: Partial<SipTimerValues>;
  tls?: TlsMaterial;
  media?: MediaFactoryBuilder;
  /** How long `register()` waits for a final answer before calling the server unreachable. */
  registerTimeoutMs?: number;
}

/** How long `stop()` waits for the user agent to wind down before closing the socket under it. */
const STOP_GRACE_MS = 2000;

/**
 * A headless user agent: one account, one socket, one SIP user agent (src/sip/ua), and a behaviour
 * policy for incoming calls. Everything it sends or receives goes to the event stream.
 */
export class Bot {
  readonly name: string;
  /** The account as this bot runs it: its bind address follows the server's family (server-address.ts). */
  account: BotConfig;
  readonly calls = new Map<string, Call>();
  /** A scenario's override of the bot's callee behaviour, field by field; cleared after the case. */
  behaviourOverride: Partial<CalleeBehaviour> | undefined;
  /**
   * Told of each incoming call before it is answered (a scenario's expected calls claim theirs
   * here); what it returns overrides the behaviour for that call only. Cleared after the case.
   */
  onIncomingCall: ((call: Call) => Partial<CalleeBehaviour> | undefined) | undefined;
  private readonly events: EventStream;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private socket: ReliableSipSocket | undefined;
  private userAgent: SipUserAgent | undefined;
  /** The account's binding at the server (account-registration.ts). */
  private readonly registration: AccountRegistration;
  /** Why the transport last failed to send (sip.js only says 503), for the registration's error. */
  private lastSendError: unknown;
  /** Contact rewriting and keep-alives behind NAT (src/bot/nat). */
  private nat: NatTraversal | undefined;

  constructor(private readonly options: BotOptions) {
    this.account = boundForServer(options.account, options.server);
    this.name = options.account.name;
    this.events = options.events;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ bot: this.name });
    this.registration = new AccountRegistration(this.registrationHost());
  }

  /** What the registration needs of this bot. */
  private registrationHost(): RegistrationHost {
    return {
      name: this.name,
      events: this.events,
      clock: this.clock,
      logger: this.logger,
      locator: this.options.locator,
      registerTimeoutMs: this.options.registerTimeoutMs ?? 8000,
      account: () => this.account,
      aor: () => this.aor,
      serverUri: () => this.serverUri,
      serverTarget: () => this.serverTarget(),
      nextHop: () => this.nextHop(),
      userAgent: () => this.requireUserAgent(),
      nat: () => this.nat,
      lastSendError: () => this.lastSendError,
      clearSendError: () => (this.lastSendError = undefined),
      rebind: (account) => this.rebind(account),
    };
  }

  get aor(): string {
    return `sip:${this.account.user}@${this.account.domain}`;
  }

  get serverUri(): string {
    return `sip:${formatEndpoint(this.nextHop())};transport=${this.account.transport}`;
  }

  /** How the server was located and the target used now; the address when it was given as one. */
  serverTarget(): string {
    return this.options.locator?.describe() ?? formatEndpoint(this.options.server);
  }

  /** Where requests go now. */
  nextHop(): Endpoint {
    return this.options.locator?.endpoint ?? this.options.server;
  }

  /** Opens the socket and starts the user agent (no REGISTER yet). */
  async start(): Promise<void> {
    const protocol = this.account.transport;
    const raw = createSipSocket({ protocol, listen: protocol === 'udp' || protocol === 'tcp', tls: this.options.tls, bindAddress: this.account.bindAddress });
    const socket = createReliableSocket(raw, { clock: this.clock, timers: this.options.timers });
    socket.onWire((record) =>
      this.events.emit({ ...sipMessageEvent(this.name, record.direction, record.raw, record.flow, this.clock.now()), ...(record.retransmission ? { retransmission: true } : {}) }),
    );
    const local = await socket.open();
    this.socket = socket;
    // Via sent-by: the real bound address for UDP/TCP; streams we only dial out on (TLS, WS)
    // cannot be reached there anyway, so they use an .invalid host as RFC 7118 §5 suggests.
    const viaHost = protocol === 'udp' || protocol === 'tcp' ? formatEndpoint(local) : `${this.account.user}-${local.port || randomToken()}.invalid`;
    this.nat = createBotNat(this.account, raw, this.options.server, this.clock, this.logger);
    const media = this.options.media?.(this.account, callIdOfSession, this.nat) ?? (() => new SignalingOnlySdh(local.address));
    this.userAgent = new SipUserAgent({
      aor: this.aor,
      authorizationUsername: this.account.authUser,
      authorizationPassword: this.account.password,
      displayName: this.account.displayName,
      socket,
      nextHop: () => this.nextHop(),
      ...(this.options.outboundProxy !== undefined && { outboundProxy: this.options.outboundProxy }),
      protocol,
      viaHost,
      contactUser: this.account.user,
      ...(protocol === 'udp' || protocol === 'tcp' ? { contactEndpoint: local } : {}),
      media,
      isUnacceptableOffer: isSdpError,
      onIncomingCall: (incoming) => {
        const { name, events, clock, logger, calls, account, behaviourOverride, onIncomingCall } = this;
        receiveCall({ name, events, clock, logger, calls, account, behaviourOverride, onIncomingCall, inCall: (except) => this.inCall(except), takeTransfers: (session) => this.takeTransfers(session) }, incoming);
      },
      onLateAnswer: (late) => this.events.emit(lateAnswerFinding(this.name, this.clock.now(), late)),
      clock: this.clock,
      logger: this.logger,
      onSendError: (error) => (this.lastSendError = error),
    });
    await this.userAgent.start();
  }

  /** REGISTERs (answering the 401 challenge) and keeps refreshing at 90 % of the expiry. */
  register(): Promise<void> {
    return this.registration.register();
  }

  /** Places a call. `target` is a SIP URI; the returned Call tracks it to the end. */
  call(target: string, options: { cancelAfter?: number; hangupAfter?: number; headers?: RequestContent['headers']; rel100?: Rel100; toDisplayName?: string | undefined } = {}): Call {
    const ua = this.requireUserAgent();
    const callOptions = { ...(options.rel100 === undefined ? {} : { rel100: options.rel100 }), ...(options.toDisplayName === undefined ? {} : { toDisplayName: options.toDisplayName }) };
    const outgoing = ua.call(target, options.headers, callOptions);
    if (!outgoing) throw new Error(`${this.name}: ${JSON.stringify(target)} is not a SIP URI (hint: sip:bob@lab.test)`);
    // RFC 3263 §4.3: the same call again at the next server target (on the user agent of the moment: a failover may bind anew).
    const again = (failed: OutgoingCall): OutgoingCall => this.requireUserAgent().call(target, options.headers, { ...callOptions, again: { callId: failed.callId, cseq: failed.cseq } })!;
    return this.trackCall(placeCall(this.placer(), outgoing, target, options, this.options.locator ? again : undefined));
  }

  private trackCall(call: Call): Call {
    this.calls.set(call.callId, call);
    return call;
  }

  /** What `placeCall` (place-call.ts) needs of this bot. */
  private placer(): CallPlacer {
    return {
      name: this.name,
      events: this.events,
      clock: this.clock,
      logger: this.logger,
      timers: this.options.timers,
      takeTransfers: (session) => this.takeTransfers(session),
      lastSendError: () => this.lastSendError,
      clearSendError: () => (this.lastSendError = undefined),
      nextServerTarget: (reason) => this.options.locator?.failover(reason) ?? false,
      serverTarget: () => this.serverTarget(),
      registerAtCurrentTarget: () => this.registration.registerAtCurrentTarget(),
    };
  }

  /**
   * A REFER on one of our calls (RFC 3515): accepted (202, NOTIFY 100 Trying), and the call to
   * the Refer-To target placed like any other; sip.js reports its final status to the transferor.
   */
  private takeTransfers(session: IncomingCall | OutgoingCall): void {
    session.onTransfer((transfer) => {
      this.logger.info({ target: transfer.target, callId: session.callId }, 'transferred by the peer (REFER)');
      transfer
        .accept()
        .then((outgoing) => this.trackCall(placeCall(this.placer(), outgoing, transfer.target, {})))
        .catch((error: unknown) => this.logger.warn({ err: error, callId: session.callId }, 'following a REFER failed'));
    });
  }

  /** MESSAGE or OPTIONS outside any dialog; resolves with the final response. */
  async request(method: OutOfDialogMethod, target: string, content: RequestContent = {}): Promise<ResponseLine> {
    for (;;) {
      // RFC 3263 §4.3, as for an INVITE (place-call.ts): a failure at this target sends the request anew to the next one.
      const from = this.serverTarget();
      this.lastSendError = undefined;
      const outcome = await this.requireUserAgent().request(method, target, content);
      const reason = this.options.locator ? failoverReason({ ...outcome, sendError: this.lastSendError }) : undefined;
      if (reason === undefined || !this.options.locator?.failover(reason)) return { status: outcome.status, reason: outcome.reason };
      this.events.emit({ type: 'finding', at: this.clock.now(), party: this.name, message: failoverFinding(method, from, reason, this.serverTarget()) });
      await this.registration.registerAtCurrentTarget();
    }
  }

  /** SUBSCRIBE (RFC 6665) outside any dialog; the bot itself notifies for presence, message-summary and dialog (src/sip/ua/notifier.ts). */
  subscribe(target: string, event: string, expires: number, content: RequestContent = {}): Promise<SubscribeOutcome> {
    return this.requireUserAgent().subscribe(target, event, expires, content);
  }

  /** A scenario's `register` step (account-registration.ts). */
  registerAgain(options: { password?: string; timeoutMs: number }): Promise<ResponseLine> {
    return this.registration.registerAgain(options);
  }

  /** A scenario's `unregister` step: Expires 0, no retries until `registerAgain`. */
  unregisterNow(timeoutMs: number): Promise<ResponseLine> {
    return this.registration.unregisterNow(timeoutMs);
  }

  /** After a case that unregistered the bot: registered again for the next one. */
  ensureRegistered(timeoutMs: number): Promise<void> {
    return this.registration.ensureRegistered(timeoutMs);
  }

  /** True while any call of this bot (either direction) is in progress. */
  inCall(except?: string): boolean {
    for (const call of this.calls.values()) if (call.callId !== except && call.active) return true;
    return false;
  }

  async hangupAll(): Promise<void> {
    await Promise.all([...this.calls.values()].filter((c) => c.active).map((c) => c.hangup()));
  }

  /** Unregisters (Expires: 0), stops the user agent and closes the socket. */
  async stop(): Promise<void> {
    this.nat?.stop();
    this.registration.stopRetrying();
    // CANCEL and BYE leave at once; their answers may never come from a server that is gone,
    // and the unregistration must not wait for Timer F behind them.
    await this.settleWithin(this.hangupAll(), STOP_GRACE_MS, 'hang-up on stop failed');
    await this.registration.release().catch((error: unknown) => this.logger.warn({ err: error }, 'unregister failed'));
    // The user agent waits for an unanswered REGISTER to time out (Timer F, 32 s) before it stops;
    // a bot whose server is gone must not hold the run that long.
    if (this.userAgent) await this.settleWithin(this.userAgent.stop(), STOP_GRACE_MS, 'user agent stop failed');
    await this.socket?.close();
  }

  /** After failover to a target of the other address family: socket and user agent again, bound as `account` says. */
  private async rebind(account: BotConfig): Promise<void> {
    this.nat?.stop();
    if (this.userAgent) await this.settleWithin(this.userAgent.stop(), STOP_GRACE_MS, 'stopping the user agent before binding again failed');
    await this.socket?.close();
    this.account = account;
    await this.start();
  }

  private settleWithin(work: Promise<unknown>, ms: number, failure: string): Promise<void> {
    return settleWithin(work, ms, this.clock, (error) => this.logger.warn({ err: error }, failure));
  }

  private requireUserAgent(): SipUserAgent {
    if (!this.userAgent) throw new Error(`bot ${this.name} is not started`);
    return this.userAgent;
  }
}

function randomToken(): string {
  return Math.random().toString(36).slice(2, 10);
}
