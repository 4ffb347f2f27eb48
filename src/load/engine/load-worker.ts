import { parentPort, workerData } from 'node:worker_threads';
import { encodeHistogram } from '../results/histograms.js';
import { LoadEngine, LoadSetupError } from './load-engine.js';
import type { WorkerInput, WorkerMessage } from './run-load.js';
import { WireTap } from './wire-tap.js';

/**
 * Worker-thread entry: runs one engine on its share of the accounts and rate, posts a
 * progress message each second and its snapshot (histograms encoded) at the end. The parent
 * stops new arrivals with a `{ type: 'stop' }` message. With --capture, wire records go to the
 * parent in batches (only the main thread writes files); the last batch is posted before the
 * snapshot, and messages on one port arrive in order.
 */
const port = parentPort;
if (!port) throw new Error('load-worker.ts must run as a worker thread');
const input = workerData as WorkerInput;
const controller = new AbortController();
port.on('message', (message: { type: string }) => {
  if (message.type === 'stop') controller.abort();
});
const post = (message: WorkerMessage): void => port.postMessage(message);
const tap = input.capture ? new WireTap((batch) => post({ type: 'wire', batch }), { partyPrefix: `w${input.index}-` }) : undefined;
const engine = new LoadEngine(input.options, {
  signal: controller.signal,
  tap,
  onProgress: (progress) =>
    post({
      type: 'progress',
      counters: progress.counters,
      elapsedMs: progress.elapsedMs,
      setup: input.samples ? encodeHistogram(progress.histograms.setup_200) : undefined,
      ...(progress.media ? { media: progress.media } : {}),
    }),
});
engine.run().then(
  (snapshot) => {
    tap?.flush();
    post({ type: 'done', snapshot });
    port.close();
  },
  (error: unknown) => {
    tap?.flush();
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), setup: error instanceof LoadSetupError });
    port.close();
  },
);
