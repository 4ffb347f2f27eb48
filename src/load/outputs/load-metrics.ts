import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { newHistogram, type LatencyHistogram } from '../results/histograms.js';
import { addCounters, newCounters, type LoadCounters } from '../results/load-stats.js';
import { LoadMetric, SETUP_QUANTILES } from './metric-names.js';
import type { EngineSample } from '../engine/run-load.js';
import { addMediaCounters, newMediaCounters, type MediaCounters } from '../results/media-stats.js';

/**
 * Prometheus view of a running load. The engines keep counting as they always do; this only
 * reads their latest samples (live objects in-thread, once-a-second reports from workers) when
 * Prometheus scrapes, so the hot path pays nothing for it. Counters are set to the engines'
 * totals at each scrape, which keeps them consistent with one another.
 */
export class LoadMetrics {
  readonly registry = new Registry();
  private readonly samples = new Map<number, EngineSample>();

  constructor() {
    const totals = (): LoadCounters => this.totals();
    const registers = [this.registry];
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    const total = (name: string, help: string, read: (c: LoadCounters) => number): void => counter(name, help, () => read(totals()));
    total(LoadMetric.attempted, 'Calls (or registrations, OPTIONS pings) started', (c) => c.attempted);
    total(LoadMetric.succeeded, 'Calls that ended well', (c) => c.succeeded);
    total(LoadMetric.failed, 'Calls that failed (reasons in sipbots_load_failures_total)', (c) => c.failed);
    total(LoadMetric.refused, 'Calls the server turned away with a final 3xx-6xx before any dialog (503, 486, 403, ...)', (c) => c.refused);
    total(LoadMetric.retransmissions, 'Requests and responses sent again by a retransmission timer', (c) => c.retransmissions);
    total(LoadMetric.timeouts, 'Transactions without a final response within --timeout', (c) => c.timeouts);
    new Counter({
      name: LoadMetric.failures,
      help: 'Failed calls by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(totals().failures)) this.inc({ reason }, n);
      },
    });
    total(LoadMetric.calleeRefreshes, 'Callee registrations refreshed during the run', (c) => c.calleeRefreshes);
    total(LoadMetric.calleeIntervalTooBrief, 'Callee REGISTERs answered 423 Interval Too Brief and sent again asking for Min-Expires', (c) => c.calleeIntervalTooBrief);
    total(LoadMetric.calleeRetryAfter, 'Callee refreshes refused with Retry-After whose next try waited as the registrar asked', (c) => c.calleeRetryAfter);
    new Counter({
      name: LoadMetric.calleeRefreshFailures,
      help: 'Callee registration refreshes that failed, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(totals().calleeRefreshFailures)) this.inc({ reason }, n);
      },
    });
    new Counter({
      name: LoadMetric.responses,
      help: 'Final responses received, by request method and status',
      labelNames: ['method', 'status'],
      registers,
      collect() {
        this.reset();
        for (const [key, n] of Object.entries(totals().statuses)) {
          const [method = '', status = ''] = key.split(' ');
          this.inc({ method, status }, n);
        }
      },
    });
    new Gauge({
      name: LoadMetric.active,
      help: 'Calls under way',
      registers,
      collect() {
        this.set(totals().active);
      },
    });
    const media = (): MediaCounters => this.mediaTotals();
    new Counter({
      name: LoadMetric.mediaCalls,
      help: 'Calls whose media was judged (--media rtp), by verdict',
      labelNames: ['verdict'],
      registers,
      collect() {
        this.reset();
        const m = media();
        this.inc({ verdict: 'two-way' }, m.twoWay);
        this.inc({ verdict: 'one-way' }, m.oneWay);
        this.inc({ verdict: 'no-audio' }, m.noAudio);
      },
    });
    const rtp = (name: string, help: string, read: (m: MediaCounters) => number): void => counter(name, help, () => read(media()));
    rtp(LoadMetric.rtpSent, 'RTP packets sent (directions ended so far)', (m) => m.packetsSent);
    rtp(LoadMetric.rtpReceived, 'RTP packets received (directions ended so far)', (m) => m.packetsReceived);
    rtp(LoadMetric.rtpLost, 'RTP packets lost by sequence gaps, RFC 3550 (directions ended so far)', (m) => m.packetsLost);
    rtp(LoadMetric.rtpFramesSkipped, 'RTP frames a late sender covered with its next packet instead of sending (directions ended so far)', (m) => m.framesSkipped);
    this.registry.registerMetric(new SetupSummary(() => this.setupHistogram()) as unknown as Metric);
    // CPU, memory and event-loop lag of this process: what the generator itself costs.
    collectDefaultMetrics({ register: this.registry });
  }

  /** The latest sample of engine `source` (replaces the previous one). */
  update(source: number, sample: EngineSample): void {
    this.samples.set(source, sample);
  }

  totals(): LoadCounters {
    const sum = newCounters();
    for (const { counters } of this.samples.values()) addCounters(sum, counters);
    return sum;
  }

  mediaTotals(): MediaCounters {
    const sum = newMediaCounters();
    for (const { media } of this.samples.values()) if (media) addMediaCounters(sum, media);
    return sum;
  }

  private setupHistogram(): LatencyHistogram {
    const merged = newHistogram();
    for (const { setup } of this.samples.values()) merged.add(setup);
    return merged;
  }
}

interface SummaryValue {
  labels: Record<string, number>;
  value: number;
  metricName?: string;
}

/**
 * INVITE→200 as a Prometheus summary computed from the HDR histogram (exact across workers,
 * 3 significant digits). prom-client's own Summary wants every observation; ours are already
 * in the histogram, so this implements the small `get()` interface its registry reads.
 */
class SetupSummary {
  readonly name = LoadMetric.setupSeconds;
  readonly help = 'INVITE to 200 OK, seconds, measured from the scheduled start of the call';
  readonly type = 'summary';
  readonly aggregator = 'sum';
  readonly labelNames: string[] = [];

  constructor(private readonly read: () => LatencyHistogram) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: SummaryValue[] } {
    const h = this.read();
    const seconds = (us: number): number => us / 1e6;
    const values: SummaryValue[] = SETUP_QUANTILES.map((q) => ({ labels: { quantile: q }, value: h.totalCount > 0 ? seconds(h.getValueAtPercentile(q * 100)) : 0 }));
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: seconds(h.mean * h.totalCount) });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: h.totalCount });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing to reset here: the engines own the numbers. */
  reset(): void {}
}
