#!/usr/bin/env -S node --max-semi-space-size=2
// Entry point of the `sipbots` binary: runs the compiled CLI (built by `npm run build`, and by `prepare` on install).
// --max-semi-space-size=2 (MB): V8's young generation otherwise grows to 3 × 16 MB under a load's
// allocation rate, ~25 MB of RSS that `sipbots load` holding 2,000 calls does not need, for no
// CPU it could measure (issue 17, bench/RESULTS.md). V8 reads it only at start-up, so it is here.
import { main } from '../dist/cli/main.js';
import { exitWhenFlushed } from '../dist/cli/exit-when-flushed.js';

// Exit once stdout and stderr are drained (a pipe is written asynchronously), not before.
await exitWhenFlushed(await main(process.argv.slice(2)));
