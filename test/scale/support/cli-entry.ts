// `sipbots` from source, for tests that need separate processes without a build:
//   node --import tsx test/scale/support/cli-entry.ts load --shard 0/3 …
import { main } from '../../../src/cli/main.js';

process.exit(await main(process.argv.slice(2)));
