import { defineConfig } from 'vitest/config';

// Unit and loopback integration tests. Real-peer interop tests have their own config
// (vitest.interop.config.ts) because they need Kamailio, SIPp and baresip installed.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real peers and the root-only NAT test bed have commands of their own (test:interop, test:nat).
    exclude: ['test/interop/**', 'test/nat/netns.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
