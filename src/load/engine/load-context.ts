import type { DigestCache } from './digest-cache.js';
import type { LoadLink } from './load-link.js';
import type { LoadStats } from '../results/load-stats.js';
import type { ScannedMessage } from './sip-scan.js';
import type { LocalParty, MessageTemplate, RequestKey } from './templates.js';
import type { Timed, TimerWheel } from './timer-wheel.js';

/** Timer kinds on the engine's wheel. */
export const Timer = { Retransmit: 0, Timeout: 1, Hold: 2 } as const;

/** Something that owns a Call-ID on a link and receives the responses to it. */
export interface ResponseHandler extends Timed {
  onResponse(message: ScannedMessage, now: number): void;
  /** The run was interrupted: end now instead of when planned (a call CANCELs or BYEs). */
  hangUp?(now: number): void;
  /** A request within its Call-ID from the other side (a callee's BYE). */
  onRequest?(message: ScannedMessage, now: number): void;
}

/** Unique ids for one engine: a random run prefix plus counters (cheap and collision-free). */
export class IdSource {
  private n = 0;
  constructor(private readonly prefix: string) {}
  callId(): string {
    return `${this.prefix}-${(this.n++).toString(36)}`;
  }
  branch(): string {
    return `z9hG4bK${this.prefix}${(this.n++).toString(36)}`;
  }
  tag(): string {
    return `${this.prefix}${(this.n++).toString(36)}`;
  }
}

/** A link plus what its messages say about it (Via, Contact) and the templates bound to it. */
export interface BoundLink {
  link: LoadLink;
  party: LocalParty;
  templates: { invite: MessageTemplate<RequestKey>; bodiless: MessageTemplate<RequestKey>; register: MessageTemplate<RequestKey> };
}

/** What calls and transactions of one engine share. */
export interface EngineContext {
  now(): number;
  wheel: TimerWheel;
  stats: LoadStats;
  ids: IdSource;
  digest: DigestCache;
  /** Responses are routed to their handler by Call-ID. */
  clients: Map<string, ResponseHandler>;
  timeoutMs: number;
  holdMs: number;
}
