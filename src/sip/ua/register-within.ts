import type { Clock } from '../../util/clock.js';
import type { TransportProtocol } from '../transport/types.js';
import { RegistrationError, ServerUnreachableError } from './registration-errors.js';
import type { RegisterHandlers, Registration } from './registration.js';

export interface RegisterWithinOptions {
  /** The bot's name, for the error message. */
  party: string;
  aor: string;
  serverUri: string;
  protocol: TransportProtocol;
  clock: Clock;
  /** How long the REGISTER may wait for its final response. */
  timeoutMs: number;
}

/**
 * Sends REGISTER (or, with `unregister`, Expires 0) and waits for the final response: resolves
 * on 2xx, rejects with `RegistrationError` on a refusal and with `ServerUnreachableError` when
 * nothing final arrives within `timeoutMs` (sooner than Timer F's 32 s, which would hold a run).
 */
export function registerWithin(registration: Registration, action: 'register' | 'unregister', options: RegisterWithinOptions): Promise<void> {
  const { clock, timeoutMs, party, aor, serverUri, protocol } = options;
  return new Promise<void>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new ServerUnreachableError(serverUri, protocol, timeoutMs)), timeoutMs);
    const done = (error?: Error): void => {
      clock.clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const handlers: RegisterHandlers = {
      onAccept: () => done(),
      onReject: ({ status, reason, ...came }) => done(new RegistrationError(party, aor, status, reason, came)),
    };
    const sent = action === 'register' ? registration.register(handlers) : registration.unregister(handlers);
    sent.catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
  });
}
