/**
 * RFC 3261 §17 timer policy, in one place. Every transaction in sipbots (the load engine, the
 * proxy, the reliability layer under sip.js) takes its timer values from here.
 *
 * | timer | value                  | meaning (RFC 3261 Table 4)                                 |
 * |-------|------------------------|------------------------------------------------------------|
 * | T1    | 500 ms                 | RTT estimate                                               |
 * | T2    | 4 s                    | longest retransmit interval for non-INVITE and INVITE 2xx/final responses |
 * | T4    | 5 s                    | longest a message stays in the network                     |
 * | A     | T1, doubling           | INVITE request retransmit, UDP only                        |
 * | B     | 64·T1                  | INVITE transaction timeout                                 |
 * | C     | > 3 min                | proxy INVITE transaction timeout (not used: fr_inv_timer)  |
 * | D     | > 32 s UDP, 0 reliable | wait in Completed for response retransmits (INVITE client) |
 * | E     | T1 doubling to T2      | non-INVITE request retransmit, UDP only                    |
 * | F     | 64·T1                  | non-INVITE transaction timeout                             |
 * | G     | T1 doubling to T2      | INVITE final response retransmit, UDP only                 |
 * | H     | 64·T1                  | wait for ACK receipt                                       |
 * | I     | T4 UDP, 0 reliable     | wait in Confirmed for ACK retransmits                      |
 * | J     | 64·T1 UDP, 0 reliable  | wait in Completed for non-INVITE request retransmits       |
 * | K     | T4 UDP, 0 reliable     | wait in Completed for non-INVITE response retransmits      |
 */

/** RFC 3261 §17 timer base values, in milliseconds. */
export interface SipTimerValues {
  /** RTT estimate (default 500). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4000). */
  t2: number;
  /** Maximum time a message stays in the network (default 5000). */
  t4: number;
}

/** RFC 3261 §17.1.1.1 defaults, ms. */
export const T1 = 500;
export const T2 = 4000;
export const T4 = 5000;

export const DEFAULT_TIMERS: Readonly<SipTimerValues> = { t1: T1, t2: T2, t4: T4 };

/**
 * Whether a transport delivers or fails the connection itself. On a reliable transport the
 * request and response retransmit timers (A, E, G) never run and the linger timers (D, I, J, K)
 * are zero (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2).
 */
export type Reliability = 'unreliable' | 'reliable';

export function reliabilityOf(protocol: string): Reliability {
  return protocol === 'udp' ? 'unreliable' : 'reliable';
}

/** The timer durations one transaction needs, derived from the base values and its transport. */
export interface TimerPolicy {
  /** Timers A, E and G run (UDP only). */
  retransmits: boolean;
  /** First retransmit interval (A, E, G): T1. */
  first: number;
  /** Next Timer A interval: doubles without bound. */
  nextA(interval: number): number;
  /** Next Timer E or G interval: doubles up to T2. */
  nextEorG(interval: number): number;
  /** Timer E interval once a provisional came (§17.1.2.2): T2. */
  proceedingE: number;
  /** Timers B, F, H (and L, M of RFC 6026): 64·T1. */
  transactionTimeout: number;
  /** Timer D: 32 s or 64·T1, whichever is longer, on UDP; 0 on reliable transports. */
  d: number;
  /** Timer I and K: T4 on UDP; 0 on reliable transports. */
  iAndK: number;
  /** Timer J: 64·T1 on UDP; 0 on reliable transports. */
  j: number;
}

/**
 * The policy for one transport. `transactionTimeoutMs` replaces 64·T1 for Timers B, F and H (and
 * L, M): the load engine's --timeout; the linger timers D, I, J, K keep their RFC values.
 */
export function timerPolicy(reliability: Reliability, values: SipTimerValues = DEFAULT_TIMERS, transactionTimeoutMs?: number): TimerPolicy {
  const unreliable = reliability === 'unreliable';
  return {
    retransmits: unreliable,
    first: values.t1,
    nextA: (interval) => interval * 2,
    nextEorG: (interval) => Math.min(interval * 2, values.t2),
    proceedingE: values.t2,
    transactionTimeout: transactionTimeoutMs ?? 64 * values.t1,
    d: unreliable ? Math.max(32_000, 64 * values.t1) : 0,
    iAndK: unreliable ? values.t4 : 0,
    j: unreliable ? 64 * values.t1 : 0,
  };
}
