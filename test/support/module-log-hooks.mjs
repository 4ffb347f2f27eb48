// `node --import ./module-log-hooks.mjs`: appends the URL of every ES module the process loads
// to the file named by SIPBOTS_MODULE_LOG (one per line), so a test can see the module graph.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

export async function load(url, context, nextLoad) {
  if (process.env.SIPBOTS_MODULE_LOG) appendFileSync(process.env.SIPBOTS_MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
