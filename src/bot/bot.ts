import {
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  URI,
  UserAgent,
  type Invitation,
  type SessionDescriptionHandlerFactory,
} from 'sip.js';
import type { EventStream } from '../events/event-stream.js';
import { sipMessageEvent } from '../events/sip-event.js';
import { createReliableSocket } from '../sip/reliability/reliable-socket.js';
import { DEFAULT_TIMERS, type ReliableSipSocket, type SipTimerValues } from '../sip/reliability/types.js';
import { createSipSocket } from '../sip/transport/create-sip-socket.js';
import { formatEndpoint, type Endpoint, type TlsMaterial } from '../sip/transport/types.js';
import { NodeTransport } from '../sip/ua/node-transport.js';
import { SignalingOnlySdh } from '../sip/ua/signaling-only-sdh.js';
import { systemClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { resolveBehaviour, type CalleeBehaviour } from '../config/behaviour.js';
import type { BotConfig } from '../config/bots-schema.js';
import { Call } from './call.js';
import { answerIncomingCall } from './callee-policy.js';
import { wireMediaControl } from './call-media-control.js';
import { RegistrationError, ServerUnreachableError } from './errors.js';
import { RegistrationKeeper } from './registration-keeper.js';
import { sipJsLogConnector } from './sipjs-log.js';
import { createBotNat, natAfterRegistered } from './nat/bot-nat.js';
import type { NatTraversal } from './nat/nat-traversal.js';
import type { MediaNatHints } from '../media/nat/rtp-latch.js';

/** Builds the media side of one call; the media layer supplies it (tone RTP), or none. */
export type MediaFactoryBuilder = (bot: BotConfig, callIdOf: (session: unknown) => string, nat?: MediaNatHints) => SessionDescriptionHandlerFactory;

export interface BotOptions {
  account: BotConfig;
  /** Registrar and outbound proxy: every request goes there. */
  server: Endpoint;
  events: EventStream;
  clock?: Clock;
  logger?: Logger;
  timers?: Partial<SipTimerValues>;
  tls?: TlsMaterial;
  media?: MediaFactoryBuilder;
  /** How long `register()` waits for a final answer before calling the server unreachable. */
  registerTimeoutMs?: number;
}

/** A lost registration is retried this often (or at a quarter of the expiry, if shorter). */
const REGISTER_RETRY_MS = 5000;

/** How long `stop()` waits for sip.js to wind down before closing the socket under it. */
const STOP_GRACE_MS = 2000;

/**
 * A headless user agent: one account, one socket, one sip.js UserAgent, and a behaviour
 * policy for incoming calls. Everything it sends or receives goes to the event stream.
 */
export class Bot {
  readonly name: string;
  readonly account: BotConfig;
  readonly calls = new Map<string, Call>();
  /** A scenario's override of the bot's callee behaviour, field by field; cleared after the case. */
  behaviourOverride: Partial<CalleeBehaviour> | undefined;
  private readonly events: EventStream;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private socket: ReliableSipSocket | undefined;
  private userAgent: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private keeper: RegistrationKeeper | undefined;
  /** Contact rewriting and keep-alives behind NAT (src/bot/nat). */
  private nat: NatTraversal | undefined;

  constructor(private readonly options: BotOptions) {
    this.account = options.account;
    this.name = options.account.name;
    this.events = options.events;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ bot: this.name });
  }

  get aor(): string {
    return `sip:${this.account.user}@${this.account.domain}`;
  }

  get serverUri(): string {
    return `sip:${formatEndpoint(this.options.server)};transport=${this.account.transport}`;
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
    this.userAgent = new UserAgent({
      uri: UserAgent.makeURI(this.aor),
      authorizationUsername: this.account.authUser,
      authorizationPassword: this.account.password,
      displayName: this.account.displayName,
      transportConstructor: NodeTransport,
      transportOptions: { socket, server: this.options.server, protocol },
      viaHost,
      contactName: this.account.user,
      contactParams: { transport: protocol },
      forceRport: true,
      noAnswerTimeout: 3600,
      // The callee policy decides whether to ring (180) or refuse at once (486 when busy).
      sendInitialProvisionalResponse: false,
      userAgentString: 'sipbots/0.1',
      logBuiltinEnabled: false,
      logLevel: 'debug',
      logConnector: sipJsLogConnector(this.logger),
      sessionDescriptionHandlerFactory: media,
      delegate: { onInvite: (invitation) => this.receiveCall(invitation) },
    });
    if (protocol === 'udp' || protocol === 'tcp') {
      // sip.js builds its Contact from viaHost as one host string; a registrar's 200 lists the
      // binding with host and port apart, and sip.js compares URIs. Give it the real URI.
      this.userAgent.contact.uri = new URI('sip', this.account.user, local.address, local.port, { transport: protocol });
    }
    await this.userAgent.start();
  }

  /** REGISTERs (answering the 401 challenge) and keeps refreshing at 90 % of the expiry. */
  async register(): Promise<void> {
    const ua = this.requireUserAgent();
    const timeoutMs = this.options.registerTimeoutMs ?? 8000;
    this.registerer = new Registerer(ua, { expires: this.account.expires, refreshFrequency: 90 });
    this.registerer.stateChange.addListener((state) =>
      this.events.emit({ type: 'registration', at: this.clock.now(), party: this.name, state: registrationStateOf(state), expires: this.account.expires }),
    );
    this.events.emit({ type: 'registration', at: this.clock.now(), party: this.name, state: 'registering' });
    await new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new ServerUnreachableError(this.serverUri, this.account.transport, timeoutMs)), timeoutMs);
      const settle = (error?: Error) => {
        this.clock.clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      this.registerer!.register({
        requestDelegate: {
          onAccept: () => settle(),
          onReject: (response) => {
            const { statusCode, reasonPhrase } = response.message;
            settle(new RegistrationError(this.name, this.aor, statusCode ?? 0, reasonPhrase ?? ''));
          },
        },
      }).catch((error: unknown) => settle(error instanceof Error ? error : new Error(String(error))));
    });
    // After the first success only: a registration that never worked is a configuration problem.
    this.keeper = new RegistrationKeeper(this.registerer, this.clock, Math.min(REGISTER_RETRY_MS, (this.account.expires * 1000) / 4), this.logger);
    const registration = { account: this.account, userAgent: ua, registerer: this.registerer, aor: this.aor, serverUri: this.serverUri, clock: this.clock, timeoutMs };
    if (this.nat) await natAfterRegistered(this.nat, registration);
  }

  /** Places a call. `target` is a SIP URI; the returned Call tracks it to the end. */
  call(target: string, options: { cancelAfter?: number; hangupAfter?: number } = {}): Call {
    const ua = this.requireUserAgent();
    const uri = UserAgent.makeURI(target);
    if (!uri) throw new Error(`${this.name}: ${JSON.stringify(target)} is not a SIP URI (hint: sip:bob@lab.test)`);
    const inviter = new Inviter(ua, uri);
    const call = new Call(this.name, 'caller', inviter.request.callId, this.events, this.clock);
    this.calls.set(call.callId, call);
    wireMediaControl(call, inviter);
    call.hangup = async () => {
      if (inviter.state === SessionState.Establishing) {
        call.endedBy ??= 'local';
        call.transition('terminating', 'CANCEL');
        // RFC 3261 §9.1: with no final response 64·T1 after the CANCEL, the INVITE has timed out.
        call.after(64 * (this.options.timers?.t1 ?? DEFAULT_TIMERS.t1), () => {
          call.finalReason ??= 'no final response to the INVITE after CANCEL';
          call.transition('terminated', call.finalReason);
          void inviter.dispose();
        });
        await inviter.cancel();
      } else if (inviter.state === SessionState.Established) {
        call.endedBy ??= 'local';
        call.transition('terminating', 'BYE');
        await inviter.bye();
      }
    };
    inviter.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        call.transition('confirmed', '200 OK');
        if (options.hangupAfter !== undefined) call.after(options.hangupAfter, call.hangup);
      } else if (state === SessionState.Terminated) {
        call.endedBy ??= 'remote';
        call.transition('terminated', call.finalReason);
      }
    });
    call.transition('calling', 'INVITE');
    if (options.cancelAfter !== undefined) {
      call.after(options.cancelAfter, () => (call.state === 'confirmed' ? undefined : call.hangup()));
    }
    inviter
      .invite({
        requestDelegate: {
          onProgress: (response) => {
            const status = response.message.statusCode ?? 0;
            if (call.state === 'calling' || call.state === 'early') call.transition(status === 183 ? 'early' : 'ringing', `${status} ${response.message.reasonPhrase}`);
          },
          onAccept: (response) => {
            call.finalStatus = response.message.statusCode;
            call.finalReason = `${response.message.statusCode} ${response.message.reasonPhrase}`;
          },
          onReject: (response) => {
            call.finalStatus = response.message.statusCode;
            call.finalReason = `${response.message.statusCode} ${response.message.reasonPhrase}`;
          },
        },
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, callId: call.callId }, 'INVITE could not be sent');
        call.finalReason = error instanceof Error ? error.message : String(error);
        call.transition('terminated', call.finalReason);
      });
    return call;
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
    this.keeper?.stop();
    await this.hangupAll().catch((error: unknown) => this.logger.warn({ err: error }, 'hang-up on stop failed'));
    if (this.registerer?.state === RegistererState.Registered) {
      await this.unregister().catch((error: unknown) => this.logger.warn({ err: error }, 'unregister failed'));
    }
    // sip.js waits for an unanswered REGISTER to time out (Timer F, 32 s) before it stops;
    // a bot whose server is gone must not hold the run that long.
    if (this.userAgent) await this.settleWithin(this.userAgent.stop(), STOP_GRACE_MS);
    await this.socket?.close();
  }

  private async unregister(): Promise<void> {
    const registerer = this.registerer!;
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, 2000);
      registerer
        .unregister({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } })
        .catch(() => resolve())
        .finally(() => this.clock.clearTimeout(timer));
    });
  }

  private receiveCall(invitation: Invitation): void {
    const call = new Call(this.name, 'callee', invitation.request.callId, this.events, this.clock);
    // A self-call arrives with the Call-ID of our own outgoing leg: keep both under distinct keys.
    const key = this.calls.has(call.callId) ? `${call.callId}#in` : call.callId;
    this.calls.set(key, call);
    const behaviour = resolveBehaviour(this.account.behaviour, this.behaviourOverride);
    wireMediaControl(call, invitation);
    answerIncomingCall({ invitation, call, behaviour, busy: behaviour.busyWhenInCall && this.inCall(key), logger: this.logger });
  }

  private async settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const grace = new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, ms)));
    await Promise.race([work.catch((error: unknown) => this.logger.warn({ err: error }, 'user agent stop failed')), grace]);
    if (timer !== undefined) this.clock.clearTimeout(timer);
  }

  private requireUserAgent(): UserAgent {
    if (!this.userAgent) throw new Error(`bot ${this.name} is not started`);
    return this.userAgent;
  }
}

function registrationStateOf(state: RegistererState): 'registered' | 'unregistered' | 'registering' | 'failed' {
  if (state === RegistererState.Registered) return 'registered';
  if (state === RegistererState.Terminated) return 'unregistered';
  if (state === RegistererState.Unregistered) return 'unregistered';
  return 'registering';
}

function callIdOfSession(session: unknown): string {
  return (session as { request?: { callId?: string } }).request?.callId ?? '';
}

function randomToken(): string {
  return Math.random().toString(36).slice(2, 10);
}
