import { RegistererState, type Registerer, type RegistererRegisterOptions } from 'sip.js';
import { finalResponseTracking, responseLineOf, type FinalResponseLine, type ResponseLine, type SipJsResponse } from './response-line.js';

/**
 * One account's binding at its registrar (RFC 3261 §10), over a sip.js Registerer, which
 * answers the digest challenge and refreshes the binding at `refreshFrequency` % of the expiry.
 *
 *     initial ──2xx──▶ registered ──refresh fails / Expires 0 answered──▶ unregistered
 *        │                ▲                                                  │
 *        │                └──────────────────────2xx─────────────────────────┘
 *        └──refused──▶ unregistered
 *     any state ──user agent stopped──▶ terminated
 */
export type RegistrationState = 'initial' | 'registered' | 'unregistered' | 'terminated';

/** What the caller of `register()` / `unregister()` hears about the final response. */
export interface RegisterHandlers {
  onAccept?: (response: ResponseLine) => void;
  /** A final non-2xx, received or made up by sip.js (408 for no answer, 503 for a failed send). */
  onReject?: (response: FinalResponseLine) => void;
}

const STATES: Readonly<Record<RegistererState, RegistrationState>> = {
  [RegistererState.Initial]: 'initial',
  [RegistererState.Registered]: 'registered',
  [RegistererState.Unregistered]: 'unregistered',
  [RegistererState.Terminated]: 'terminated',
};

export class Registration {
  private readonly refusedListeners: ((response: FinalResponseLine) => void)[] = [];
  /** The handlers of the `register()` call under way (none for sip.js's own refreshes). */
  private pending: RegisterHandlers = {};

  /** Made by `SipUserAgent.createRegistration`. */
  constructor(private readonly registerer: Registerer) {
    // sip.js refreshes a binding by calling its own register() with no delegate, so a refused
    // refresh (and the Retry-After it carries) would never reach us: every REGISTER, ours and
    // its refreshes alike, goes out with the one delegate made here.
    const send = registerer.register.bind(registerer);
    registerer.register = (options?: RegistererRegisterOptions) => {
      const handlers = this.pending;
      this.pending = {};
      return send({ ...options, requestDelegate: delegateOf(handlers, (line) => this.refusedListeners.forEach((listener) => listener(line))) });
    };
  }

  get state(): RegistrationState {
    return STATES[this.registerer.state];
  }

  onStateChange(listener: (state: RegistrationState) => void): void {
    this.registerer.stateChange.addListener((state) => listener(STATES[state]));
  }

  /**
   * Told of every REGISTER the registrar (or sip.js) refused, sip.js's own refreshes included,
   * before the caller's `onReject` hears it and after the state changed to `unregistered`.
   */
  onRefused(listener: (response: FinalResponseLine) => void): void {
    this.refusedListeners.push(listener);
  }

  /** Sends REGISTER; resolves once it is sent, the handlers hear the final response. */
  register(handlers: RegisterHandlers = {}): Promise<void> {
    this.pending = handlers;
    return this.registerer.register().then(() => undefined);
  }

  /** Sends REGISTER with Expires 0; resolves once it is sent, the handlers hear the final response. */
  unregister(handlers: RegisterHandlers = {}): Promise<void> {
    return this.registerer.unregister({ requestDelegate: delegateOf(handlers) }).then(() => undefined);
  }

  /** Drops this registration without unregistering (its target failed; another one takes over). */
  dispose(): Promise<void> {
    return this.registerer.dispose();
  }
}

/**
 * The sip.js request delegate for `handlers`; `refused` (the Registration's onRefused listeners)
 * hears a refusal first, for every REGISTER sent, sip.js's own refreshes included.
 */
function delegateOf(handlers: RegisterHandlers, refused?: (response: FinalResponseLine) => void) {
  const { onAccept, onReject } = handlers;
  const { onTrying, onProgress, final } = finalResponseTracking();
  const rejected = (response: SipJsResponse): void => {
    const line = final(response);
    refused?.(line);
    onReject?.(line);
  };
  return {
    onTrying,
    onProgress,
    ...(onAccept ? { onAccept: (response: SipJsResponse) => onAccept(responseLineOf(response)) } : {}),
    ...(onReject || refused ? { onReject: rejected } : {}),
  };
}
