import { defineConfig } from 'vitest/config';

// Interop tests against real peers (Kamailio, SIPp, baresip, tshark) on 127.0.0.1.
// Install them first with `sudo scripts/peers/install.sh`. Files run one at a time in a
// single fork: each starts its own Kamailio on free ports, and timing-sensitive checks
// (e.g. fr_inv_timer) must not compete for CPU with other files.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    exclude: ['node_modules/**'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
