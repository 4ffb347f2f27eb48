#!/usr/bin/env node
// Entry point of the `sipbots` binary: runs the compiled CLI (built by `npm run build`, and by `prepare` on install).
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
// Exit now: the command has flushed its files; stray protocol timers (a REGISTER that will
// never be answered) must not keep the process alive. stdout/stderr are synchronous on Linux.
process.exit(code);
