#!/usr/bin/env node
// Entry point of the `sipbots` binary: runs the compiled CLI (built by `npm run build`, and by `prepare` on install).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
