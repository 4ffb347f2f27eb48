import type { Registration } from '../sip/ua/registration.js';
import type { FinalResponseLine } from '../sip/ua/response-line.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** The part of a `Registration` the keeper uses (tests pass a fake). */
export type KeptRegistration = Pick<Registration, 'state' | 'onStateChange' | 'register'>;

/**
 * Keeps a registration alive across a server outage. The user agent refreshes a registration
 * while the registrar answers, but after a failed refresh (the server died: 408 from Timer F,
 * or a 5xx) it leaves it unregistered for good. Like a softphone, we retry every `retryMs`
 * until the registrar takes us back, so calls to the bot work again once the server returns.
 */
export class RegistrationKeeper {
  private timer: TimerHandle | undefined;
  private active = true;
  private paused = false;

  constructor(
    private readonly registration: KeptRegistration,
    private readonly clock: Clock,
    private readonly retryMs: number,
    private readonly logger: Logger,
    /**
     * Told of each refused retry, with how its response came; true when the bot moved to the
     * next server target (RFC 3263 §4.3, see `failoverReason`), which is then tried at once.
     */
    private readonly nextTarget: (response: FinalResponseLine) => boolean = () => false,
  ) {
    registration.onStateChange((state) => {
      if (state === 'unregistered') this.schedule();
    });
  }

  /** A scenario unregistered the bot on purpose: no retries until `resume`. */
  pause(): void {
    this.paused = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    this.paused = false;
  }

  stop(): void {
    this.active = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.active || this.paused || this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.attempt();
    }, this.retryMs);
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
    this.logger.info({ retryMs: this.retryMs }, 'registration lost; registering again');
    this.registration
      .register({ onReject: (response) => {
        this.logger.warn({ status: response.status }, 'registration retry refused');
        if (this.nextTarget(response)) this.attempt();
        else this.schedule();
      } })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'registration retry could not be sent');
        this.schedule();
      });
  }
}
