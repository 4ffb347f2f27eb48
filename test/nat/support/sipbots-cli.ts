// The sipbots CLI straight from the sources (no build needed), for runs inside a namespace:
//   ip netns exec sipbots-nat-home node --import tsx test/nat/support/sipbots-cli.ts lab …
import { main } from '../../../src/cli/main.js';

process.exit(await main(process.argv.slice(2)));
