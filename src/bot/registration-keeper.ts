import { retryAfterWait, type RetryAfterWait } from '../sip/message/retry-after.js';
import type { Registration } from '../sip/ua/registration.js';
import type { FinalResponseLine } from '../sip/ua/response-line.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** The part of a `Registration` the keeper uses (tests pass a fake). */
export type KeptRegistration = Pick<Registration, 'state' | 'onStateChange' | 'onRefused' | 'register'>;

export interface RegistrationKeeperOptions {
  /** A lost registration is registered again this often. */
  retryMs: number;
  /** The longest a Retry-After is waited for (the binding's lifetime): a server asking for more gets this. */
  maxWaitMs: number;
  /**
   * Told of each refused retry, with how its response came; true when the bot moved to the
   * next server target (RFC 3263 §4.3, see `failoverReason`), which is then tried at once.
   */
  nextTarget?: (response: FinalResponseLine) => boolean;
  /** Told when a refusal's Retry-After holds the next REGISTER back: the finding to leave. */
  serverAsked?: (response: FinalResponseLine, wait: RetryAfterWait) => void;
}

/**
 * Keeps a registration alive across a server outage. The user agent refreshes a registration
 * while the registrar answers, but after a failed refresh (the server died: 408 from Timer F,
 * or a 5xx) it leaves it unregistered for good. Like a softphone, we retry every `retryMs`
 * until the registrar takes us back, so calls to the bot work again once the server returns.
 * A refusal (a refresh's or a retry's) with Retry-After (RFC 3261 §20.33, §21.5.4: 500 or 503
 * from an overloaded registrar) holds the next REGISTER back that long at least, up to the
 * binding's lifetime, instead of retrying at `retryMs`.
 */
export class RegistrationKeeper {
  private timer: TimerHandle | undefined;
  private active = true;
  private paused = false;

  constructor(
    private readonly registration: KeptRegistration,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RegistrationKeeperOptions,
  ) {
    registration.onStateChange((state) => {
      if (state === 'unregistered') this.schedule(options.retryMs);
    });
    // Heard after the state changed (the retry is armed) and before a retry's own onReject.
    registration.onRefused((response) => this.refused(response));
  }

  /** A scenario unregistered the bot on purpose: no retries until `resume`. */
  pause(): void {
    this.paused = true;
    this.cancelTimer();
  }

  resume(): void {
    this.paused = false;
  }

  stop(): void {
    this.active = false;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (!this.active || this.paused || this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.attempt();
    }, delayMs);
  }

  /** The server said when to come back: the retry armed at `retryMs` waits that long instead, when longer. */
  private refused(response: FinalResponseLine): void {
    if (response.retryAfterS === undefined || !this.active || this.paused) return;
    const wait = retryAfterWait(response.retryAfterS, this.options.maxWaitMs / 1000);
    this.options.serverAsked?.(response, wait);
    if (wait.waitMs <= this.options.retryMs) return;
    this.cancelTimer();
    this.schedule(wait.waitMs);
  }

  private attempt(): void {
    // Registered again meanwhile (a NAT contact rewrite re-registers on its own): nothing to do.
    if (!this.active || this.paused || this.registration.state === 'registered') return;
    // The bot stopped while its first REGISTER was still out (another bot's failure ended the
    // run): the keeper started after stop(), and register() on a terminated registration throws
    // synchronously, past the .catch below, as an uncaught exception.
    if (this.registration.state === 'terminated') {
      this.stop();
      return;
    }
    const { retryMs, nextTarget } = this.options;
    this.logger.info({ retryMs }, 'registration lost; registering again');
    this.registration
      .register({ onReject: (response) => {
        this.logger.warn({ status: response.status }, 'registration retry refused');
        if (nextTarget?.(response) === true) {
          // RFC 3263 §4.3: the next target at once, whatever the failed one's Retry-After asked.
          this.cancelTimer();
          this.attempt();
        } else this.schedule(retryMs);
      } })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'registration retry could not be sent');
        this.schedule(retryMs);
      });
  }
}
