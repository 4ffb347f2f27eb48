import { RegistererState, type Registerer } from 'sip.js';
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
  /** Made by `SipUserAgent.createRegistration`. */
  constructor(private readonly registerer: Registerer) {}

  get state(): RegistrationState {
    return STATES[this.registerer.state];
  }

  onStateChange(listener: (state: RegistrationState) => void): void {
    this.registerer.stateChange.addListener((state) => listener(STATES[state]));
  }

  /** Sends REGISTER; resolves once it is sent, the handlers hear the final response. */
  register(handlers: RegisterHandlers = {}): Promise<void> {
    return this.registerer.register({ requestDelegate: delegateOf(handlers) }).then(() => undefined);
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

function delegateOf(handlers: RegisterHandlers) {
  const { onAccept, onReject } = handlers;
  const { onTrying, onProgress, final } = finalResponseTracking();
  return {
    onTrying,
    onProgress,
    ...(onAccept ? { onAccept: (response: SipJsResponse) => onAccept(responseLineOf(response)) } : {}),
    ...(onReject ? { onReject: (response: SipJsResponse) => onReject(final(response)) } : {}),
  };
}
