/**
 * Every Prometheus metric `sipbots load --metrics-port` serves, by name, in one place (dashboards
 * and alerts depend on these: rename only with a note in the changelog). "Calls" are arrivals:
 * calls for the call scenario, registrations or OPTIONS pings for the others. At any scrape,
 * attempted = succeeded + failed + active.
 */
export const LoadMetric = {
  /** Counter: arrivals started. */
  attempted: 'sipbots_load_calls_attempted_total',
  /** Counter: arrivals that ended well (call answered and hung up, 2xx to the request). */
  succeeded: 'sipbots_load_calls_succeeded_total',
  /** Counter: arrivals that ended badly; their reasons are in `failures`. */
  failed: 'sipbots_load_calls_failed_total',
  /** Counter: arrivals the server turned away with a final 3xx-6xx before any dialog (503, 486, 403…). */
  refused: 'sipbots_load_calls_refused_total',
  /** Counter, label `reason` (`INVITE 486`, `timeout INVITE`, …): failed, by why. */
  failures: 'sipbots_load_failures_total',
  /** Counter, labels `method` and `status`: final responses received. */
  responses: 'sipbots_load_responses_total',
  /** Counter: requests and responses sent again by a retransmission timer (RFC 3261 §17). */
  retransmissions: 'sipbots_load_retransmissions_total',
  /** Counter: transactions without a final response within --timeout (Timer B/F/H). */
  timeouts: 'sipbots_load_timeouts_total',
  /** Counter: callee registrations refreshed during the run (at about half the lifetime the registrar granted). */
  calleeRefreshes: 'sipbots_load_callee_refreshes_total',
  /** Counter, label `reason` (`REGISTER 403`, `timeout REGISTER`): callee registration refreshes that failed. */
  calleeRefreshFailures: 'sipbots_load_callee_refresh_failures_total',
  /** Counter: callee REGISTERs answered 423 Interval Too Brief and sent again asking for Min-Expires (RFC 3261 §10.2.8). */
  calleeIntervalTooBrief: 'sipbots_load_callee_interval_too_brief_total',
  /** Counter: callee refreshes refused with Retry-After, the next one held back as the registrar asked (RFC 3261 §20.33). */
  calleeRetryAfter: 'sipbots_load_callee_retry_after_total',
  /** Gauge: arrivals under way now. */
  active: 'sipbots_load_active_calls',
  /** Summary (quantiles 0.5, 0.9, 0.99, 0.999; _sum, _count): INVITE to 200, seconds, from the scheduled time. */
  setupSeconds: 'sipbots_load_setup_seconds',
  /** Counter, label `verdict` (`two-way`, `one-way`, `no-audio`): `--media rtp` calls judged. */
  mediaCalls: 'sipbots_load_media_calls_total',
  /** Counters: RTP packets sent, received, and lost by sequence gaps (RFC 3550 §A.3) of the directions ended so far. */
  rtpSent: 'sipbots_load_rtp_packets_sent_total',
  rtpReceived: 'sipbots_load_rtp_packets_received_total',
  rtpLost: 'sipbots_load_rtp_packets_lost_total',
  /** Counter: 20 ms frames a late sender covered with its next packet instead of sending (directions ended so far). */
  rtpFramesSkipped: 'sipbots_load_rtp_frames_skipped_total',
} as const;

export const SETUP_QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;
