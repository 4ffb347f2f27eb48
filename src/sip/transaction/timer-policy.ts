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
