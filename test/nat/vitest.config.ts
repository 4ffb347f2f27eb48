import { defineConfig } from 'vitest/config';

// The NAT tests: unit tests (contact rewriting, keep-alives, latching) and the network
// namespace test bed (scripts/nat/netns.sh; root, iptables, Kamailio). One file at a time:
// the bed's namespaces and the provider's Kamailio are shared by name.
//   vitest run -c test/nat/vitest.config.ts
export default defineConfig({
  test: {
    include: ['test/nat/**/*.test.ts'],
    exclude: ['node_modules/**'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
