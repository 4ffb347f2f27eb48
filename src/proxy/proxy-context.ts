import type { DigestVerifier } from '../sip/auth/digest-verifier.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import type { TimerHandle } from '../util/clock.js';
import type { LocalResponseOptions } from './local-response.js';
import type { LocationService } from './location-service.js';
import type { ResolvedProxyOptions } from './proxy-options.js';
import type { Hop, ProxyWire } from './proxy-wire.js';

/** What the request handlers and relays share; built once by LabProxy. */
export interface ProxyContext {
  readonly options: ResolvedProxyOptions;
  readonly wire: ProxyWire;
  readonly location: LocationService;
  readonly verifier: DigestVerifier;
  readonly transactions: TransactionTable;
  /** `z9hG4bK` + random (RFC 3261 §8.1.1.7). */
  newBranch(): string;
  newTag(): string;
  /** Sends a locally generated response back on the flow the request came in on. */
  reply(request: SipRequest, hop: Hop, status: number, reason: string, options?: LocalResponseOptions): void;
}

/** The client side of a relay: gets the responses whose top Via carries its branch. */
export interface ClientTransactionOwner {
  onResponse(response: SipResponse, hop: Hop): void;
  /** Clears its timers; the proxy is stopping. */
  stop(): void;
}

/** The server side of an INVITE relay, matched by the caller's branch (RFC 3261 §17.2.3). */
export interface InviteServerSide {
  /** RFC 3261 §9.2 / §16.10: the caller's CANCEL for this INVITE. */
  cancel(): void;
  /** The caller's ACK with this branch belongs to a non-2xx final and stops here (§17.2.1). */
  absorbsAck(): boolean;
  stop(): void;
}

/**
 * Transactions the proxy keeps, by branch: INVITE relays by the caller's branch (for CANCEL,
 * ACK and duplicates), client sides by the proxy's own branch (for responses), and branches of
 * INVITEs the proxy answered itself with a final (407, 404, 480…) whose ACK it must absorb.
 */
export class TransactionTable {
  readonly servers = new Map<string, InviteServerSide>();
  readonly clients = new Map<string, ClientTransactionOwner>();
  private readonly answered = new Map<string, TimerHandle>();

  constructor(
    private readonly setTimer: (callback: () => void, ms: number) => TimerHandle,
    private readonly clearTimer: (handle: TimerHandle) => void,
    private readonly lingerMs: number,
  ) {}

  /** RFC 3261 §17.2.1: keep matching the ACK for a locally sent non-2xx final for 64·T1. */
  answeredLocally(branch: string): void {
    const previous = this.answered.get(branch);
    if (previous !== undefined) this.clearTimer(previous);
    this.answered.set(branch, this.setTimer(() => this.answered.delete(branch), this.lingerMs));
  }

  wasAnsweredLocally(branch: string): boolean {
    return this.answered.has(branch);
  }

  clear(): void {
    for (const handle of this.answered.values()) this.clearTimer(handle);
    this.answered.clear();
    for (const server of this.servers.values()) server.stop();
    for (const client of this.clients.values()) client.stop();
    this.servers.clear();
    this.clients.clear();
  }
}
