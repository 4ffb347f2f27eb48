import type { Clock } from '../../util/clock.js';
import type { Endpoint, TransportProtocol } from '../transport/types.js';
import { registerWithin } from './register-within.js';
import type { Registration } from './registration.js';
import type { SipUserAgent } from './user-agent.js';

/**
 * What NAT traversal (src/bot/nat) needs from the user agent: its Contact, a way to rewrite it,
 * and the registration. `UaContactTarget` is the real one; tests use a fake.
 */
export interface ContactTarget {
  /** Host and port of the Contact we currently register. */
  contactEndpoint(): Endpoint;
  /** Makes `endpoint` our Contact (with `;ob`) for every later request and dialog. */
  rewrite(endpoint: Endpoint): void;
  /** REGISTERs the current Contact with Expires 0 and waits for the final response. */
  unregister(): Promise<void>;
  /** REGISTERs the current Contact and waits for the 2xx (rejects on failure). */
  register(): Promise<void>;
}

export interface UaContactTargetOptions {
  userAgent: SipUserAgent;
  registration: Registration;
  party: string;
  aor: string;
  protocol: TransportProtocol;
  serverUri: string;
  clock: Clock;
  /** How long one REGISTER may wait for its final response. */
  timeoutMs: number;
}

/**
 * `ContactTarget` over our user agent and its registration. sip.js builds Contact from
 * `userAgent.contact.uri` for every request and dialog, so rewriting it there is enough.
 *
 * Via sent-by is left at the bound address. PJSIP rewrites it too, but RFC 3581 already makes
 * responses follow received/rport, and sip.js copies `viaHost` into long-lived request objects
 * (the Registerer's REGISTER, its 401 retry): a changed Via would make the UA drop the answers
 * to them as "not ours" (RFC 3261 §18.1.2). A proxy also learns from the private sent-by that
 * we are behind NAT (Kamailio's nat_uac_test 2) and keeps the received address with the binding.
 */
export class UaContactTarget implements ContactTarget {
  constructor(private readonly options: UaContactTargetOptions) {}

  contactEndpoint(): Endpoint {
    return this.options.userAgent.contactEndpoint();
  }

  rewrite(endpoint: Endpoint): void {
    // `;ob` (RFC 5626 §5.4): this Contact is only reachable over the flow we registered on.
    this.options.userAgent.setContact(endpoint, { outbound: true });
  }

  unregister(): Promise<void> {
    return registerWithin(this.options.registration, 'unregister', this.options);
  }

  register(): Promise<void> {
    return registerWithin(this.options.registration, 'register', this.options);
  }
}
