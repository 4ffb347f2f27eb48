import type { LoadCapture } from './load-capture.js';
import type { LoadMetrics } from './load-metrics.js';
import type { LoadResult } from '../results/load-result.js';
import type { MetricsServer } from './metrics-server.js';
import type { RunLoadHooks } from '../engine/run-load.js';

export interface LoadOutputOptions {
  /** `--capture [dir]`: true for runs/<timestamp>. */
  capture?: string | boolean;
  metricsPort?: number;
  metricsBind: string;
  /** `--force`: a non-empty capture folder is used anyway. */
  force?: boolean;
}

/**
 * The optional outputs of `sipbots load` that watch the run while it goes: the capture run
 * folder and the Prometheus endpoint. Both are fed through RunLoadHooks; neither is there
 * unless asked for, so a plain load pays nothing for them: not even loading their modules
 * (prom-client, the pcapng writer), which would add megabytes to its memory.
 */
export class LoadOutputs {
  private constructor(
    readonly capture: LoadCapture | undefined,
    private readonly metrics: { values: LoadMetrics; server: MetricsServer } | undefined,
  ) {}

  static async open(options: LoadOutputOptions): Promise<LoadOutputs> {
    let metrics: { values: LoadMetrics; server: MetricsServer } | undefined;
    if (options.metricsPort !== undefined) {
      const [{ LoadMetrics }, { startMetricsServer }] = await Promise.all([import('./load-metrics.js'), import('./metrics-server.js')]);
      const values = new LoadMetrics();
      metrics = { values, server: await startMetricsServer(values.registry, options.metricsBind, options.metricsPort) };
    }
    try {
      let capture: LoadCapture | undefined;
      if (options.capture !== undefined && options.capture !== false) {
        const { LoadCapture } = await import('./load-capture.js');
        capture = await LoadCapture.open(options.capture === true ? undefined : options.capture, options.force);
      }
      return new LoadOutputs(capture, metrics);
    } catch (error) {
      await metrics?.server.close();
      throw error;
    }
  }

  get metricsUrl(): string | undefined {
    return this.metrics?.server.url;
  }

  hooks(): Pick<RunLoadHooks, 'onWire' | 'onEngineSample'> {
    const { capture, metrics } = this;
    return {
      onWire: capture ? (batch, source) => capture.accept(batch, source) : undefined,
      onEngineSample: metrics ? (source, sample) => metrics.values.update(source, sample) : undefined,
    };
  }

  /** Writes the run folder's last files; the metrics endpoint stays up until close(). */
  async finish(result: LoadResult): Promise<void> {
    if (!this.capture) return;
    if (result.interrupted) this.capture.note('interrupted (SIGINT/SIGTERM): arrivals stopped, calls hung up, callees unregistered');
    if (result.serverStopped) this.capture.note(result.serverStopped.message);
    await this.capture.finish(result);
  }

  /** The load could not run: keep what was exchanged, and say why. */
  async fail(error: Error, exitCode: number, startedAt: Date): Promise<void> {
    await this.capture?.fail({ startedAt: startedAt.toISOString(), passed: false, error: { type: error.name, message: error.message }, exitCode });
  }

  async close(): Promise<void> {
    await this.metrics?.server.close();
  }
}
