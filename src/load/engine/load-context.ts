import type { DigestCache } from './digest-cache.js';
import type { LoadMedia } from '../media/load-media.js';
import type { LoadLink } from './load-link.js';
import type { LoadStats } from '../results/load-stats.js';
import type { ScannedMessage } from './sip-scan.js';
import type { LocalParty, MessageTemplate, RequestKey } from './templates.js';
import type { TimerWheel } from './timer-wheel.js';
import type { Clock } from '../../util/clock.js';
import { reliabilityOf, timerPolicy, type TimerPolicy } from '../../sip/transaction/timer-policy.js';
import type { TransactionOwner } from '../../sip/transaction/transaction-user.js';

/**
 * Timer kinds of calls and dialogs on the engine's wheel (their own, above the transactions:
 * retransmissions and Timers B/F/H belong to src/sip/transaction, run on `EngineContext.clock`).
 */
export const Timer = { Timeout: 1, Hold: 2 } as const;

/** Something that owns a Call-ID on a link and receives the responses to it. */
export interface ResponseHandler {
  onResponse(message: ScannedMessage, now: number): void;
  /** Counted as failed while still under way: cancel every timer, keep nothing. */
  abandon(): void;
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
  templates: { invite: MessageTemplate<RequestKey>; mediaInvite: MessageTemplate<RequestKey>; bodiless: MessageTemplate<RequestKey>; register: MessageTemplate<RequestKey> };
}

/** What calls and transactions of one engine share. */
export interface EngineContext {
  now(): number;
  wheel: TimerWheel;
  /** The wheel as a Clock, for the transactions' timers (see wheel-clock.ts). */
  clock: Clock;
  stats: LoadStats;
  ids: IdSource;
  digest: DigestCache;
  /** Responses are routed to their handler by Call-ID. */
  clients: Map<string, ResponseHandler>;
  timeoutMs: number;
  holdMs: number;
  /** `--media rtp`: every answered call sends and judges a tone both ways. */
  media?: LoadMedia;
}

/**
 * The transactions of the engine belong to their call or request, which holds them in fields
 * and drops them when it ends: there is no table to tell.
 */
export const HELD_BY_USER: TransactionOwner = { terminated: () => undefined };

/** Each link's policy, looked up by the link itself: every transaction asks, and a key string built per ask showed in profiles. */
const policies = new WeakMap<LoadLink, TimerPolicy>();

/** RFC 3261 §17 timers for `link` (A, E, G on UDP only) with --timeout as Timers B, F and H. */
export function policyOf(ctx: EngineContext, link: LoadLink): TimerPolicy {
  let policy = policies.get(link);
  if (policy === undefined || policy.transactionTimeout !== ctx.timeoutMs) {
    policy = timerPolicy(reliabilityOf(link.protocol), undefined, ctx.timeoutMs);
    policies.set(link, policy);
  }
  return policy;
}
