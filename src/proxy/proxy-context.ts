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
  /** Keys the dialog token of our Record-Route (src/proxy/dialog-route.ts); drawn at start. */
  readonly dialogSecret: Buffer;
  /** `z9hG4bK` + random (RFC 3261 §8.1.1.7). */
  newBranch(): string;
  newTag(): string;
  /** The To tag of every stateless reply; an ACK carrying it is absorbed (Kamailio's sl_filter_ACK). */
  readonly statelessTag: string;
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

/** An INVITE relay's server side and the caller's branch it is found by. */
interface ServerEntry {
  branch: string;
  side: InviteServerSide;
}

/**
 * At most this many relays, and as many locally answered INVITE branches, like the UDP layer's
 * server transactions (src/sip/reliability/server-transactions.ts): entries linger 32 s, so a
 * flood would otherwise grow the table with the message rate. Past it the oldest go first.
 */
export const MAX_PROXY_TRANSACTIONS = 20_000;

/**
 * Transactions the proxy keeps, by branch: INVITE relays by the caller's branch (for CANCEL,
 * ACK and duplicates), client sides by the proxy's own branch (for responses), and branches of
 * INVITEs the proxy answered itself with a final (407, 404, 480…) whose ACK it must absorb.
 * Past `maxEntries` the oldest relay is stopped and forgotten: a late response for it is then
 * forwarded statelessly (§16.11), a late CANCEL gets 481.
 */
export class TransactionTable {
  private readonly servers = new Map<string, InviteServerSide>();
  private readonly clients = new Map<string, { owner: ClientTransactionOwner; server: ServerEntry | undefined }>();
  private readonly answered = new Map<string, TimerHandle>();

  constructor(
    private readonly setTimer: (callback: () => void, ms: number) => TimerHandle,
    private readonly clearTimer: (handle: TimerHandle) => void,
    private readonly lingerMs: number,
    private readonly maxEntries = MAX_PROXY_TRANSACTIONS,
  ) {}

  /** The INVITE relay for the caller's branch. */
  server(branch: string): InviteServerSide | undefined {
    return this.servers.get(branch);
  }

  /** The relay whose forwarded request carries this (the proxy's own) branch. */
  client(branch: string): ClientTransactionOwner | undefined {
    return this.clients.get(branch)?.owner;
  }

  /** How many relays are kept (for tests and metrics). */
  get size(): number {
    return this.clients.size;
  }

  /**
   * A relay starts: it is found by its own `branch` for responses, and an INVITE relay also by
   * the caller's branch (`server`).
   */
  add(branch: string, owner: ClientTransactionOwner, server?: ServerEntry): void {
    this.clients.set(branch, { owner, server });
    if (server) this.servers.set(server.branch, server.side);
    if (this.clients.size <= this.maxEntries) return;
    const [oldestBranch, oldest] = this.clients.entries().next().value!;
    oldest.owner.stop();
    this.remove(oldestBranch);
  }

  /** The relay with this branch is done: forget it under both its branches. */
  remove(branch: string): void {
    const entry = this.clients.get(branch);
    if (!entry) return;
    this.clients.delete(branch);
    const { server } = entry;
    // A newer relay may have reused the caller's branch; only remove our own entry.
    if (server && this.servers.get(server.branch) === server.side) this.servers.delete(server.branch);
  }

  /** RFC 3261 §17.2.1: keep matching the ACK for a locally sent non-2xx final for 64·T1. */
  answeredLocally(branch: string): void {
    const previous = this.answered.get(branch);
    if (previous !== undefined) {
      this.clearTimer(previous);
      this.answered.delete(branch);
    }
    this.answered.set(branch, this.setTimer(() => this.answered.delete(branch), this.lingerMs));
    if (this.answered.size <= this.maxEntries) return;
    const [oldestBranch, handle] = this.answered.entries().next().value!;
    this.clearTimer(handle);
    this.answered.delete(oldestBranch);
  }

  wasAnsweredLocally(branch: string): boolean {
    return this.answered.has(branch);
  }

  clear(): void {
    for (const handle of this.answered.values()) this.clearTimer(handle);
    this.answered.clear();
    for (const server of this.servers.values()) server.stop();
    for (const { owner } of this.clients.values()) owner.stop();
    this.servers.clear();
    this.clients.clear();
  }
}
