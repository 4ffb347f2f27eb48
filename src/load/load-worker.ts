import { parentPort, workerData } from 'node:worker_threads';
import { LoadEngine, LoadSetupError, type EngineOptions } from './load-engine.js';
import type { WorkerMessage } from './run-load.js';

/**
 * Worker-thread entry: runs one engine on its share of the accounts and rate, posts a
 * progress message each second and its snapshot (histograms encoded) at the end. The parent
 * stops new arrivals with a `{ type: 'stop' }` message.
 */
const port = parentPort;
if (!port) throw new Error('load-worker.ts must run as a worker thread');
const controller = new AbortController();
port.on('message', (message: { type: string }) => {
  if (message.type === 'stop') controller.abort();
});
const post = (message: WorkerMessage): void => port.postMessage(message);
const engine = new LoadEngine(workerData as EngineOptions, {
  signal: controller.signal,
  onProgress: (progress) => post({ type: 'progress', counters: progress.counters, elapsedMs: progress.elapsedMs }),
});
engine.run().then(
  (snapshot) => {
    post({ type: 'done', snapshot });
    port.close();
  },
  (error: unknown) => {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), setup: error instanceof LoadSetupError });
    port.close();
  },
);
