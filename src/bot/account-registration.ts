import type { EventStream } from '../events/event-stream.js';
import type { BotConfig } from '../config/bots-schema.js';
import type { ServerLocator } from '../sip/locate/server-locator.js';
import { tlsFailureOf } from '../sip/transport/socket-helpers.js';
import { isTransportFailure, type Endpoint } from '../sip/transport/types.js';
import { describeRetryAfterWait, retryAfterWait } from '../sip/message/retry-after.js';
import { registerWithin } from '../sip/ua/register-within.js';
import type { Registration, RegistrationState } from '../sip/ua/registration.js';
import type { FinalResponseLine, ResponseLine } from '../sip/ua/response-line.js';
import type { SipUserAgent } from '../sip/ua/user-agent.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { RegistrationError, TlsHandshakeError } from './errors.js';
import { failoverReason, registerOutcome } from './failover.js';
import { finalResponse } from './final-response.js';
import { natAfterRegistered } from './nat/bot-nat.js';
import type { NatTraversal } from './nat/nat-traversal.js';
import { RegistrationKeeper } from './registration-keeper.js';
import { reboundForTarget } from './server-address.js';

/** A lost registration is retried this often (or at a quarter of the expiry, if shorter). */
const REGISTER_RETRY_MS = 5000;

/** What a bot's registration needs of the bot: its account, its user agent and where it sends. */
export interface RegistrationHost {
  readonly name: string;
  readonly events: EventStream;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The server as RFC 3263 located it, when it was: its next target on failure. */
  readonly locator: ServerLocator | undefined;
  /** How long a REGISTER waits for a final answer before calling the server unreachable. */
  readonly registerTimeoutMs: number;
  account(): BotConfig;
  aor(): string;
  serverUri(): string;
  /** How the server was located and the target used now, for the record. */
  serverTarget(): string;
  nextHop(): Endpoint;
  userAgent(): SipUserAgent;
  nat(): NatTraversal | undefined;
  /** Why the transport last failed to send (sip.js only says 503), and forgetting it. */
  lastSendError(): unknown;
  clearSendError(): void;
  /** Socket and user agent again, bound as `account` says (after failover to the other address family). */
  rebind(account: BotConfig): Promise<void>;
}

/**
 * One bot's account registered at its server (RFC 3261 §10): the first REGISTER with RFC 3263
 * §4.3 failover along the located targets, a keeper that retries a lost registration (and moves
 * on when the target died), a scenario's register and unregister steps, and the unregistration
 * when the bot stops.
 */
export class AccountRegistration {
  private registration: Registration | undefined;
  private keeper: RegistrationKeeper | undefined;

  constructor(private readonly host: RegistrationHost) {}

  /** REGISTERs (answering the 401 challenge) and keeps refreshing at 90 % of the expiry. */
  async register(): Promise<void> {
    const { host } = this;
    let registration: Registration;
    for (;;) {
      const account = host.account();
      registration = host.userAgent().createRegistration({ expires: account.expires, refreshFrequency: 90 });
      this.registration = registration;
      registration.onStateChange((state) =>
        host.events.emit({ type: 'registration', at: host.clock.now(), party: host.name, state: registrationStateOf(state), expires: account.expires }),
      );
      if (await this.registerHere(registration)) break;
      // Not awaited: sip.js lets the dead target's REGISTER run to Timer F (32 s) first.
      registration.dispose().catch((disposeError: unknown) => host.logger.warn({ err: disposeError }, 'dropping the failed registration failed'));
      await this.followTargetFamily();
    }
    // After the first success only: a registration that never worked is a configuration problem.
    const account = host.account();
    this.keeper = new RegistrationKeeper(registration, host.clock, host.logger, {
      retryMs: Math.min(REGISTER_RETRY_MS, (account.expires * 1000) / 4),
      maxWaitMs: account.expires * 1000,
      nextTarget: (response) => this.keeperFailover(response),
      serverAsked: (response, wait) => this.note(`REGISTER refresh: ${response.status} ${response.reason} via ${host.serverTarget()}; registering there again after ${describeRetryAfterWait(wait, `the binding's expiry (${account.expires} s)`)}`),
    });
    const nat = host.nat();
    if (nat) await natAfterRegistered(nat, { account, userAgent: host.userAgent(), registration, aor: host.aor(), serverUri: host.serverUri(), clock: host.clock, timeoutMs: host.registerTimeoutMs });
  }

  /**
   * After a request failed over to the next server target: REGISTER there (the binding at the
   * failed target is worthless, and the callee's proxy must find us), moving on again while
   * targets fail. A target of the other address family needs a new socket and user agent, and
   * so a new registration.
   */
  async registerAtCurrentTarget(): Promise<void> {
    for (;;) {
      if (reboundForTarget(this.host.account(), this.host.nextHop()) !== undefined) {
        this.keeper?.stop();
        await this.followTargetFamily();
        return this.register();
      }
      if (this.registration === undefined) throw new Error(`bot ${this.host.name} has no registration to move`);
      if (await this.registerHere(this.registration)) return;
    }
  }

  /**
   * A scenario's `register` step: REGISTER again and resolve with the final response. With a
   * `password` other than the account's, a throwaway registration tries it, so the bot's own
   * binding is left as it was (a refused one never unregisters anything).
   */
  registerAgain(options: { password?: string; timeoutMs: number }): Promise<ResponseLine> {
    const { host } = this;
    const ua = host.userAgent();
    if (options.password === undefined || options.password === host.account().password) {
      this.keeper?.resume();
      return finalResponse((handlers) => this.registration!.register(handlers), options.timeoutMs, host.clock);
    }
    const trial = ua.createRegistration({ expires: host.account().expires, refreshFrequency: 90 });
    return ua
      .withPassword(options.password, () => finalResponse((handlers) => trial.register(handlers), options.timeoutMs, host.clock))
      .finally(() => trial.dispose().catch((error: unknown) => host.logger.warn({ err: error }, 'dropping the trial registration failed')));
  }

  /** A scenario's `unregister` step: Expires 0, no retries until `registerAgain`. */
  unregisterNow(timeoutMs: number): Promise<ResponseLine> {
    this.keeper?.pause();
    return finalResponse((handlers) => this.registration!.unregister(handlers), timeoutMs, this.host.clock);
  }

  /** After a case that unregistered the bot: registered again for the next one. */
  async ensureRegistered(timeoutMs: number): Promise<void> {
    if (this.registration === undefined || this.registration.state === 'registered') return;
    const response = await this.registerAgain({ timeoutMs });
    if (response.status >= 300) this.host.logger.warn({ status: response.status }, 'registering again after the case was refused');
  }

  /** The bot is stopping: no more retries of a lost registration. */
  stopRetrying(): void {
    this.keeper?.stop();
  }

  /** Unregisters (Expires: 0) when registered, waiting 2 s at most for the answer. */
  async release(): Promise<void> {
    const registration = this.registration;
    if (registration?.state !== 'registered') return;
    const { clock } = this.host;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(resolve, 2000);
      registration
        .unregister({ onAccept: () => resolve(), onReject: () => resolve() })
        .catch(() => resolve())
        .finally(() => clock.clearTimeout(timer));
    });
  }

  /**
   * One REGISTER and its final answer: true once registered, false when it failed in a way that
   * moved the locator to the next target (RFC 3263 §4.3, `failoverReason`); any other failure,
   * or none left to move to, throws.
   */
  private async registerHere(registration: Registration): Promise<boolean> {
    const { host } = this;
    const account = host.account();
    // Retry-After waits at this target, added up: never more than the run gives a bot to
    // register (--register-timeout) nor the binding's expiry. A server asking for longer is
    // answered by the failure at once, which names its Retry-After: a lab or CI run must not sit
    // out a 60 s (or an hour's) Retry-After before saying it could not register.
    const patienceS = Math.min(account.expires, host.registerTimeoutMs / 1000);
    let waitedMs = 0;
    for (;;) {
      host.events.emit({ type: 'registration', at: host.clock.now(), party: host.name, state: 'registering' });
      host.clearSendError();
      try {
        await registerWithin(registration, 'register', { party: host.name, aor: host.aor(), serverUri: host.serverUri(), protocol: account.transport, clock: host.clock, timeoutMs: host.registerTimeoutMs });
        return true;
      } catch (error) {
        const outcome = registerOutcome(error, host.lastSendError());
        const reason = outcome && failoverReason(outcome);
        // RFC 3263 §4.3 (and §21.5.4 for a 503): another target first, whatever Retry-After says.
        if (reason !== undefined && host.locator?.failover(reason)) return false;
        // No other target: RFC 3261 §21.5.4, the client may try again after the Retry-After.
        const asked = outcome?.retryAfterS;
        const leftS = patienceS - waitedMs / 1000;
        const wait = asked === undefined ? undefined : retryAfterWait(asked, leftS);
        if (wait?.capped) this.note(`REGISTER: ${outcome!.status} ${outcome!.reason} via ${host.serverTarget()} asks to be tried again in ${wait.askedS} s (Retry-After), more than this run waits to register (${leftS} s): not waiting`);
        if (wait === undefined || wait.capped) throw this.explainRegisterFailure(error);
        this.note(`REGISTER: ${outcome!.status} ${outcome!.reason} via ${host.serverTarget()}, no other server target; registering there again after ${describeRetryAfterWait(wait, `what this run waits to register (${leftS} s)`)}`);
        await new Promise<void>((resolve) => host.clock.setTimeout(resolve, wait.waitMs));
        waitedMs += wait.waitMs;
      }
    }
  }

  /** A finding (case line, report, messages.jsonl) about this bot's registration. */
  private note(message: string): void {
    this.host.events.emit({ type: 'note', at: this.host.clock.now(), party: this.host.name, message });
  }

  /**
   * A registration that keeps failing at its target (the server died after we registered: the
   * refresh and its retry are refused, time out or get a 503: `failoverReason`) moves to the next one
   * (RFC 3263 §4.3), so calls to this bot reach it again. A target of the other address family is
   * not followed here.
   */
  private keeperFailover(response: FinalResponseLine): boolean {
    const { host } = this;
    const from = host.serverTarget();
    const reason = failoverReason({ ...response, sendError: host.lastSendError() });
    if (reason === undefined || reboundForTarget(host.account(), host.locator?.peek() ?? host.nextHop()) !== undefined || !host.locator?.failover(reason)) return false;
    this.note(`REGISTER refresh: ${response.status} ${response.reason} (${reason}) via ${from}; registering at the next server target, ${host.serverTarget()} (RFC 3263 §4.3)`);
    return true;
  }

  /** After failover to a target of the other address family: socket and user agent again, bound in that family. */
  private async followTargetFamily(): Promise<void> {
    const account = this.host.account();
    const rebound = reboundForTarget(account, this.host.nextHop());
    if (rebound === undefined) return;
    this.host.logger.info({ from: account.bindAddress, to: rebound.bindAddress }, 'the next server target is of the other address family: binding again in it');
    await this.host.rebind(rebound);
  }

  /**
   * sip.js answers a REGISTER it could not send with an internal 503 and keeps nothing of why;
   * when the cause was a failed TLS handshake, say that, and how to fix it, instead (exit 3 all
   * the same); any other transport failure becomes the 503's `cause`.
   */
  private explainRegisterFailure(error: unknown): unknown {
    const sendError = this.host.lastSendError();
    if (!(error instanceof RegistrationError) || error.status !== 503) return error;
    const tls = tlsFailureOf(sendError);
    if (tls !== undefined) return new TlsHandshakeError(`${this.host.name} (${this.host.aor()})`, this.host.serverUri(), tls, { cause: sendError });
    if (!error.came.local || !isTransportFailure(sendError)) return error;
    return new RegistrationError(error.bot, error.aor, error.status, error.reason, error.came, { cause: sendError });
  }
}

function registrationStateOf(state: RegistrationState): 'registered' | 'unregistered' | 'registering' | 'failed' {
  if (state === 'registered') return 'registered';
  if (state === 'terminated') return 'unregistered';
  if (state === 'unregistered') return 'unregistered';
  return 'registering';
}
