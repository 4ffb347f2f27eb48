import type { Endpoint, SipSocket, TransportProtocol } from '../../sip/transport/types.js';
import { formatEndpoint } from '../../sip/transport/types.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { KeepAlive } from './keep-alive.js';
import { registerResponseBinding, sameEndpoint } from './public-binding.js';
import type { ContactTarget } from '../../sip/ua/contact-target.js';

/** What NAT traversal needs from the user agent; defined with its implementation in src/sip/ua. */
export type { ContactTarget };

/**
 * Where the bot stands with its NAT binding.
 *
 *                first REGISTER 2xx
 *     unknown ───────────────────────▶ direct      (received/rport = our Contact: no NAT)
 *        │                               │
 *        │ first 2xx shows another       │ a refresh's 2xx shows another
 *        │ received/rport                │ received/rport
 *        ▼                               ▼
 *     rewriting ◀──────────────────── public  ◀─── (re-REGISTER with the public Contact done)
 *        │        binding changed        ▲
 *        └───────────────────────────────┘
 *   any state ──stop()──▶ stopped
 */
export type NatBindingState = 'unknown' | 'direct' | 'rewriting' | 'public' | 'stopped';

const TRANSITIONS: Record<NatBindingState, readonly NatBindingState[]> = {
  unknown: ['direct', 'rewriting', 'stopped'],
  direct: ['rewriting', 'stopped'],
  rewriting: ['public', 'direct', 'stopped'],
  public: ['rewriting', 'stopped'],
  stopped: [],
};

export class NatStateError extends Error {
  override name = 'NatStateError';
}

export interface NatTraversalOptions {
  party: string;
  protocol: TransportProtocol;
  /** The bot's socket below the reliability layer: responses are read from it, keep-alives sent on it. */
  socket: SipSocket;
  /** Registrar / outbound proxy, where keep-alives go. */
  server: Endpoint;
  /** Seconds between keep-alives once registered; 0: none. */
  keepAliveSeconds: number;
  /** Re-register with the public address learnt from received/rport (PJSIP's allow_contact_rewrite). */
  rewriteContact: boolean;
  clock: Clock;
  logger: Logger;
  /** Told about every state change (for logs and tests). */
  onStateChange?: (state: NatBindingState, binding: Endpoint | undefined) => void;
}

/**
 * Contact rewriting and keep-alives for a bot behind NAT, as softphones built on PJSIP do it:
 *
 * 1. The first REGISTER goes out with the bot's local address. The registrar's 2xx carries, in
 *    our Via, `received` and `rport`: the address and port the request arrived from, the NAT's
 *    public side (RFC 3581). If that differs from the Contact, the Contact is unreachable from
 *    outside: the bot unregisters it, rewrites Contact (adding `;ob`, RFC 5626 §5.4) to the
 *    public address and registers again (PJSIP `contact_rewrite_method` 1). Every later request
 *    (INVITE, the Contact of dialogs) carries the public address.
 * 2. Once registered, keep-alives (see `KeepAlive`) hold the NAT mapping open so that the proxy
 *    can still reach the bot with an incoming INVITE long after the last REGISTER.
 * 3. Each refresh's 2xx is read again: a new received/rport means the NAT gave us a new mapping
 *    (it expired, or the router restarted); the bot re-registers with the new address.
 */
export class NatTraversal {
  private current: NatBindingState = 'unknown';
  private learnt: Endpoint | undefined;
  private target: ContactTarget | undefined;
  private rewriting: Promise<void> | undefined;
  private readonly keepAlive: KeepAlive;
  private readonly logger: Logger;

  constructor(private readonly options: NatTraversalOptions) {
    this.logger = options.logger.child({ component: 'nat' });
    this.keepAlive = new KeepAlive({
      protocol: options.protocol,
      intervalSeconds: options.keepAliveSeconds,
      send: (payload) => options.socket.send(payload, { remote: options.server }),
      clock: options.clock,
      logger: this.logger,
    });
    options.socket.onMessage((raw) => this.observe(raw));
  }

  get state(): NatBindingState {
    return this.current;
  }

  /** The public address and port the registrar last saw us at (received/rport). */
  get binding(): Endpoint | undefined {
    return this.learnt;
  }

  /** The address peers outside the NAT can reach us at, once we know we are behind one. */
  publicAddress(): string | undefined {
    return this.current === 'public' || this.current === 'rewriting' ? this.learnt?.address : undefined;
  }

  get keepAlivesSent(): number {
    return this.keepAlive.sent;
  }

  /** Called once the first REGISTER got its 2xx: rewrites the Contact if needed, starts keep-alives. */
  async afterRegistered(target: ContactTarget): Promise<void> {
    this.target = target;
    await this.reconcile();
    if (this.current !== 'stopped') this.keepAlive.start();
  }

  stop(): void {
    this.keepAlive.stop();
    if (this.current !== 'stopped') this.transition('stopped');
  }

  /** Reads each REGISTER 2xx for received/rport; a change after registration triggers a rewrite. */
  private observe(raw: string): void {
    const binding = registerResponseBinding(raw);
    if (!binding) return;
    this.learnt = binding;
    if (!this.target || this.rewriting || this.current === 'stopped' || this.current === 'unknown') return;
    if (sameEndpoint(binding, this.target.contactEndpoint())) return;
    if (this.current === 'direct' && !this.options.rewriteContact) return;
    // Let the user agent finish with this response (its registerer is still "waiting").
    this.options.clock.setTimeout(() => {
      this.reconcile().catch((error: unknown) => this.logger.error({ err: error }, 're-registration after a NAT binding change failed'));
    }, 0);
  }

  private async reconcile(): Promise<void> {
    const target = this.target;
    if (!target || this.rewriting || this.current === 'stopped') return;
    const binding = this.learnt;
    if (!binding || sameEndpoint(binding, target.contactEndpoint()) || !this.options.rewriteContact) {
      if (this.current === 'unknown') this.transition('direct');
      return;
    }
    this.rewriting = this.rewrite(target, binding);
    try {
      await this.rewriting;
    } finally {
      this.rewriting = undefined;
    }
  }

  private async rewrite(target: ContactTarget, binding: Endpoint): Promise<void> {
    const previous = target.contactEndpoint();
    this.transition('rewriting');
    this.logger.info({ contact: formatEndpoint(previous), public: formatEndpoint(binding) }, 'behind NAT: re-registering with the public address');
    try {
      await target.unregister();
    } catch (error) {
      // The old binding then simply expires at the registrar; the new one matters more.
      this.logger.warn({ err: error, contact: formatEndpoint(previous) }, 'could not unregister the old Contact');
    }
    if (this.current === 'stopped') return;
    target.rewrite(binding);
    try {
      await target.register();
    } catch (error) {
      if (this.current === 'rewriting') this.transition('direct');
      throw error;
    }
    if (this.current === 'rewriting') this.transition('public');
    // The re-REGISTER's own 2xx may already show yet another binding (a NAT that maps per packet).
    if (this.learnt && !sameEndpoint(this.learnt, target.contactEndpoint())) {
      this.logger.warn({ contact: formatEndpoint(target.contactEndpoint()), public: formatEndpoint(this.learnt) }, 'NAT changed the mapping again during re-registration; not chasing it');
    }
  }

  private transition(next: NatBindingState): void {
    if (!TRANSITIONS[this.current].includes(next)) {
      throw new NatStateError(`${this.options.party}: NAT binding cannot go from ${this.current} to ${next}`);
    }
    this.current = next;
    this.logger.debug({ state: next, binding: this.learnt && formatEndpoint(this.learnt) }, 'NAT binding state');
    this.options.onStateChange?.(next, this.learnt);
  }
}
