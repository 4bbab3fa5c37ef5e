import { defineConfig } from 'vitest/config';

// Tests import workspace packages through the "source" export condition, so they run
// against src/ without a build step; the build (dist/) is what gets published.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    // Op outputs allocated without zero-filling (Tensor.forOverwrite) are filled with 0xFF bytes in
    // tests, so a kernel that leaves an element unwritten fails as NaN / -1 / 255, not silently.
    env: { TSGRAD_DEBUG_UNINIT: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
