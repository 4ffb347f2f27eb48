import { URI, type Registerer, type UserAgent } from 'sip.js';
import type { Endpoint, TransportProtocol } from '../../sip/transport/types.js';
import type { Clock } from '../../util/clock.js';
import { RegistrationError, ServerUnreachableError } from '../errors.js';
import type { ContactTarget } from './nat-traversal.js';

export interface SipJsContactTargetOptions {
  userAgent: UserAgent;
  registerer: Registerer;
  party: string;
  aor: string;
  user: string;
  protocol: TransportProtocol;
  serverUri: string;
  clock: Clock;
  /** How long one REGISTER may wait for its final response. */
  timeoutMs: number;
}

/**
 * `ContactTarget` over a sip.js UserAgent and its Registerer. sip.js builds Contact from
 * `userAgent.contact.uri` for every request and dialog, so rewriting it there is enough.
 *
 * Via sent-by is left at the bound address. PJSIP rewrites it too, but RFC 3581 already makes
 * responses follow received/rport, and sip.js copies `viaHost` into long-lived request objects
 * (the Registerer's REGISTER, its 401 retry): a changed Via would make the UA drop the answers
 * to them as "not ours" (RFC 3261 §18.1.2). A proxy also learns from the private sent-by that
 * we are behind NAT (Kamailio's nat_uac_test 2) and keeps the received address with the binding.
 */
export class SipJsContactTarget implements ContactTarget {
  constructor(private readonly options: SipJsContactTargetOptions) {}

  contactEndpoint(): Endpoint {
    const uri = this.options.userAgent.contact.uri;
    return { address: uri.host, port: uri.port ?? 5060 };
  }

  rewrite(endpoint: Endpoint): void {
    const { userAgent, user, protocol } = this.options;
    // `;ob` (RFC 5626 §5.4): this Contact is only reachable over the flow we registered on.
    userAgent.contact.uri = new URI('sip', user, endpoint.address, endpoint.port, { transport: protocol, ob: null });
  }

  unregister(): Promise<void> {
    return this.settle((delegate) => this.options.registerer.unregister({ requestDelegate: delegate }));
  }

  register(): Promise<void> {
    return this.settle((delegate) => this.options.registerer.register({ requestDelegate: delegate }));
  }

  private settle(send: (delegate: RegisterDelegate) => Promise<unknown>): Promise<void> {
    const { clock, timeoutMs, party, aor, serverUri, protocol } = this.options;
    return new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new ServerUnreachableError(serverUri, protocol, timeoutMs)), timeoutMs);
      const done = (error?: Error): void => {
        clock.clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      send({
        onAccept: () => done(),
        onReject: (response) => done(new RegistrationError(party, aor, response.message.statusCode ?? 0, response.message.reasonPhrase ?? '')),
      }).catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
    });
  }
}

interface RegisterDelegate {
  onAccept: () => void;
  onReject: (response: { message: { statusCode?: number; reasonPhrase?: string } }) => void;
}
