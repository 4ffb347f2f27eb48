#!/usr/bin/env node
// Entry point of the `sipbots` binary: runs the compiled CLI (built by `npm run build`, and by `prepare` on install).
import { main } from '../dist/cli/main.js';
import { exitWhenFlushed } from '../dist/cli/exit-when-flushed.js';

// Exit once stdout and stderr are drained (a pipe is written asynchronously), not before.
await exitWhenFlushed(await main(process.argv.slice(2)));
