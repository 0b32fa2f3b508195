import { defineConfig } from 'vitest/config';

// Three tiers (docs/testing.md): unit, integration and kernel. `npm test` (scripts/test.mjs)
// installs the system packages they need, builds, runs the quality gates, then runs them all.
// Every run writes under <repo>/.test-tmp/ (test/support/global-setup.ts) and ends with one
// line per tier (test/support/tier-reporter.ts).
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/tier-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          // starts extracting the kernel trees (cached across runs) while the other tiers run
          globalSetup: ['test/support/kernel-setup.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 1_800_000,
          // kernel-tier tests extract trees and run the kernel's own tools: one file at a time
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
