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

/**
 * The location service: AOR (user part) → bindings. Expired bindings vanish on lookup. Every
 * binding is also indexed by its contact (contactKey), so an in-dialog request finds its phone
 * without visiting every registered user: a load of 1,000 users sent each ACK and BYE through
 * a thousand lookups.
 */
export class LocationService {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly byContact = new Map<string, Binding[]>();

  constructor(private readonly clock: Clock) {}

  /** Live bindings of a user, most recently registered first. */
  lookup(user: string): Binding[] {
    const now = this.clock.now();
    const live = (this.bindings.get(user) ?? []).filter((b) => b.expiresAt > now);
    this.replace(user, live);
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
    this.replace(binding.user, others);
  }

  /** `Contact: *` with `Expires: 0` (RFC 3261 §10.2.2). */
  removeAll(user: string): void {
    this.replace(user, []);
  }

  /**
   * The live binding whose contact is this URI: how in-dialog requests find a phone's flow.
   * Several users may have registered the same contact: the most recently registered wins.
   */
  findByContact(uri: SipUri): Binding | undefined {
    const now = this.clock.now();
    let found: Binding | undefined;
    for (const b of this.byContact.get(contactKey(uri)) ?? []) {
      if (b.expiresAt > now && (!found || b.registeredAt > found.registeredAt)) found = b;
    }
    return found;
  }

  /** A stream connection closed: its bindings cannot be reached any more (RFC 5626 §4.4). */
  removeFlow(socket: SipSocket, flowId: string): void {
    for (const [user, list] of [...this.bindings]) this.replace(user, list.filter((b) => !(b.socket === socket && b.flow.id === flowId)));
  }

  /** A user's bindings become `next`; the contact index follows (lists are a binding or two long). */
  private replace(user: string, next: Binding[]): void {
    const previous = this.bindings.get(user) ?? [];
    for (const b of previous) if (!next.includes(b)) this.unindex(b);
    for (const b of next) if (!previous.includes(b)) this.index(b);
    if (next.length === 0) this.bindings.delete(user);
    else this.bindings.set(user, next);
  }

  private index(binding: Binding): void {
    const key = contactKey(binding.uri);
    const list = this.byContact.get(key);
    if (list) list.push(binding);
    else this.byContact.set(key, [binding]);
  }

  private unindex(binding: Binding): void {
    const key = contactKey(binding.uri);
    const list = this.byContact.get(key)?.filter((b) => b !== binding) ?? [];
    if (list.length === 0) this.byContact.delete(key);
    else this.byContact.set(key, list);
  }

  /** Remaining lifetime in whole seconds, as a 200 OK to REGISTER reports it. */
  remainingS(binding: Binding): number {
    return Math.max(0, Math.round((binding.expiresAt - this.clock.now()) / 1000));
  }
}
