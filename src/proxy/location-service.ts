import type { Flow, SipSocket } from '../sip/transport/types.js';
import type { Clock } from '../util/clock.js';
import { contactKey, parseSipUri, type SipUri } from './sip-uri.js';

/**
 * One registered contact of an address-of-record (RFC 3261 §10.3). The flow it was registered
 * over is kept so requests to a TCP/TLS/WS phone go back on its own connection, as RFC 5626
 * outbound (the `;ob` of the iptel captures) asks: the phone's listening port is unreachable.
 */
export interface Binding {
  user: string;
  /** The Contact URI as the phone wrote it. */
  contact: string;
  uri: SipUri;
  expiresAt: number;
  socket: SipSocket;
  flow: Flow;
  callId: string;
  cseq: number;
  registeredAt: number;
}

/** The location service: AOR (user part) → bindings. Expired bindings vanish on lookup. */
export class LocationService {
  private readonly bindings = new Map<string, Binding[]>();

  constructor(private readonly clock: Clock) {}

  /** Live bindings of a user, most recently registered first. */
  lookup(user: string): Binding[] {
    const now = this.clock.now();
    const live = (this.bindings.get(user) ?? []).filter((b) => b.expiresAt > now);
    if (live.length === 0) this.bindings.delete(user);
    else this.bindings.set(user, live);
    return [...live].sort((a, b) => b.registeredAt - a.registeredAt);
  }

  /** Adds or refreshes a binding (same contact URI, RFC 3261 §10.3 step 7), or removes it with expires 0. */
  update(binding: Omit<Binding, 'uri' | 'expiresAt' | 'registeredAt'>, expiresS: number): void {
    const uri = parseSipUri(binding.contact);
    if (!uri) return;
    const key = contactKey(uri);
    const others = this.lookup(binding.user).filter((b) => contactKey(b.uri) !== key);
    if (expiresS > 0) {
      const now = this.clock.now();
      others.push({ ...binding, uri, expiresAt: now + expiresS * 1000, registeredAt: now });
    }
    if (others.length === 0) this.bindings.delete(binding.user);
    else this.bindings.set(binding.user, others);
  }

  /** `Contact: *` with `Expires: 0` (RFC 3261 §10.2.2). */
  removeAll(user: string): void {
    this.bindings.delete(user);
  }

  /** The live binding whose contact is this URI: how in-dialog requests find a phone's flow. */
  findByContact(uri: SipUri): Binding | undefined {
    const key = contactKey(uri);
    for (const user of [...this.bindings.keys()]) {
      const found = this.lookup(user).find((b) => contactKey(b.uri) === key);
      if (found) return found;
    }
    return undefined;
  }

  /** A stream connection closed: its bindings cannot be reached any more (RFC 5626 §4.4). */
  removeFlow(socket: SipSocket, flowId: string): void {
    for (const [user, list] of this.bindings) {
      const kept = list.filter((b) => !(b.socket === socket && b.flow.id === flowId));
      if (kept.length === 0) this.bindings.delete(user);
      else this.bindings.set(user, kept);
    }
  }

  /** Remaining lifetime in whole seconds, as a 200 OK to REGISTER reports it. */
  remainingS(binding: Binding): number {
    return Math.max(0, Math.round((binding.expiresAt - this.clock.now()) / 1000));
  }
}
