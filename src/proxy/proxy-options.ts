import { randomBytes } from 'node:crypto';
import type { EventStream } from '../events/event-stream.js';
import type { DigestAlgorithm } from '../sip/auth/digest.js';
import type { SipSocket } from '../sip/transport/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { timerPolicy } from '../sip/transaction/timer-policy.js';

/** Timers B and F, and the linger of a finished relay (as Timers D and M): 64·T1 (RFC 3261 §17). */
const RFC_TIMERS = timerPolicy('unreliable');

export type CancelledInviteStatus = 408 | 487;

/** Kamailio's default fr_inv_timer (tm module), 120 s. */
export const DEFAULT_INVITE_TIMEOUT_MS = 120_000;

/** `both` challenges with SHA-256 and MD5 headers, SHA-256 first (RFC 8760 §2.4). */
export type ProxyDigestAlgorithm = 'MD5' | 'SHA-256' | 'both';

export interface LabProxyOptions {
  /** The SIP domain users register in, and the digest realm unless `realm` is given. */
  domain?: string;
  realm?: string;
  /** user → password. */
  users: ReadonlyMap<string, string>;
  /**
   * One socket per transport, opened by `start()` and closed by `stop()`. Wrap them in the
   * reliability layer first for UDP: the proxy does no retransmission itself.
   */
  listeners: SipSocket[];
  clock?: Clock;
  logger?: Logger;
  /** Every message the proxy sends or receives is emitted here as a `sip` event. */
  events?: EventStream;
  /** The event party name (default `proxy`). */
  party?: string;
  /**
   * Kamailio fr_inv_timer: how long after a provisional to wait for a final. Default 120 s,
   * Kamailio's own, so a human (or a softphone through `sipbots proxy`) has time to answer; the
   * lab case that needs the timer (no-answer-proxy-408) sets 3 s itself.
   */
  inviteTimeoutMs?: number;
  /**
   * What the caller gets for an INVITE it cancelled: 487, the callee's Request Terminated
   * relayed (RFC 3261 §16.7, the default), or 408 Request Timeout in its place, as iptel.org
   * answered the seed lab's students (lab case no-answer-as-captured).
   */
  cancelledInviteStatus?: CancelledInviteStatus;
  /** Kamailio fr_timer / RFC 3261 Timer B and F: wait for any response (default 32 000 ms = 64·T1). */
  noResponseTimeoutMs?: number;
  /** How long a finished transaction is kept to match late ACKs and 2xx copies (default 32 000 ms). */
  lingerMs?: number;
  nonceTtlMs?: number;
  algorithm?: ProxyDigestAlgorithm;
  /** Offer qop="auth" (default true); false gives RFC 2069-style challenges. */
  qop?: boolean;
  recordRoute?: boolean;
  /** Registration lifetime when the REGISTER names none (RFC 3261 §10.3 step 7; default 3600 s). */
  defaultExpiresS?: number;
  /**
   * The longest registration granted (RFC 3261 §10.3 step 7, Kamailio's registrar max_expires):
   * a REGISTER asking for more gets this in the 200's Contact expires. Default: no limit.
   */
  maxExpiresS?: number;
  /**
   * The shortest registration accepted (RFC 3261 §10.3 step 7, Kamailio's registrar min_expires
   * with min_expires_mode 1): a REGISTER asking for less (but not 0) gets 423 Interval Too Brief
   * with this in Min-Expires, and binds nothing. Default: no minimum.
   */
  minExpiresS?: number;
  /** Random bytes for nonces, branches and tags; inject for byte-stable tests. */
  random?: (bytes: number) => Buffer;
}

export interface ResolvedProxyOptions {
  domain: string;
  realm: string;
  users: ReadonlyMap<string, string>;
  listeners: SipSocket[];
  clock: Clock;
  logger: Logger;
  events: EventStream | undefined;
  party: string;
  inviteTimeoutMs: number;
  cancelledInviteStatus: CancelledInviteStatus;
  noResponseTimeoutMs: number;
  lingerMs: number;
  nonceTtlMs: number;
  algorithms: DigestAlgorithm[];
  qop: boolean;
  recordRoute: boolean;
  defaultExpiresS: number;
  maxExpiresS: number | undefined;
  minExpiresS: number | undefined;
  random: (bytes: number) => Buffer;
}

/** Thrown by the constructor for options that cannot work; lists every problem at once. */
export class ProxyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid lab proxy options: ${problems.join('; ')}`);
    this.name = 'ProxyConfigError';
  }
}

export function resolveProxyOptions(options: LabProxyOptions): ResolvedProxyOptions {
  const domain = options.domain ?? 'lab.test';
  const resolved: ResolvedProxyOptions = {
    domain,
    realm: options.realm ?? domain,
    users: options.users,
    listeners: options.listeners,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    events: options.events,
    party: options.party ?? 'proxy',
    inviteTimeoutMs: options.inviteTimeoutMs ?? DEFAULT_INVITE_TIMEOUT_MS,
    cancelledInviteStatus: options.cancelledInviteStatus ?? 487,
    noResponseTimeoutMs: options.noResponseTimeoutMs ?? RFC_TIMERS.transactionTimeout,
    lingerMs: options.lingerMs ?? RFC_TIMERS.transactionTimeout,
    nonceTtlMs: options.nonceTtlMs ?? 30_000,
    algorithms: algorithmsFor(options.algorithm ?? 'MD5'),
    qop: options.qop ?? true,
    recordRoute: options.recordRoute ?? true,
    defaultExpiresS: options.defaultExpiresS ?? 3600,
    maxExpiresS: options.maxExpiresS,
    minExpiresS: options.minExpiresS,
    random: options.random ?? randomBytes,
  };
  const problems: string[] = [];
  if (resolved.listeners.length === 0) problems.push('listeners: give at least one SipSocket');
  const protocols = resolved.listeners.map((l) => l.protocol);
  if (new Set(protocols).size !== protocols.length) problems.push(`listeners: one socket per transport (got ${protocols.join(', ')})`);
  for (const name of ['inviteTimeoutMs', 'noResponseTimeoutMs', 'lingerMs', 'nonceTtlMs', 'defaultExpiresS'] as const) {
    if (!(resolved[name] > 0)) problems.push(`${name}: must be a positive number (got ${resolved[name]})`);
  }
  for (const name of ['maxExpiresS', 'minExpiresS'] as const) {
    const value = resolved[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) problems.push(`${name}: must be a positive whole number of seconds (got ${value})`);
  }
  if (resolved.minExpiresS !== undefined && resolved.maxExpiresS !== undefined && resolved.minExpiresS > resolved.maxExpiresS) {
    problems.push(`minExpiresS: must not exceed maxExpiresS (got ${resolved.minExpiresS} > ${resolved.maxExpiresS})`);
  }
  if (resolved.cancelledInviteStatus !== 408 && resolved.cancelledInviteStatus !== 487) {
    problems.push(`cancelledInviteStatus: must be 408 or 487 (got ${String(resolved.cancelledInviteStatus)})`);
  }
  if (problems.length > 0) throw new ProxyConfigError(problems);
  return resolved;
}

function algorithmsFor(algorithm: ProxyDigestAlgorithm): DigestAlgorithm[] {
  return algorithm === 'both' ? ['SHA-256', 'MD5'] : [algorithm];
}
