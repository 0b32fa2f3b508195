import { defineConfig } from 'vitest/config';

/** `npm run test:exhaustive` (KPLAY_EXHAUSTIVE=1) runs the full variants of slow tests: longer limits. */
const scale = process.env.KPLAY_EXHAUSTIVE === '1' ? 10 : 1;

// Four tiers (docs/testing.md): unit, integration, security and kernel. `npm test` (scripts/test.mjs)
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
          testTimeout: 20_000 * scale,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000 * scale,
          hookTimeout: 120_000 * scale,
        },
      },
      {
        test: {
          // untrusted input must never run code, destroy files or smuggle lines (issue 12)
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          testTimeout: 120_000 * scale,
          hookTimeout: 120_000 * scale,
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          // starts extracting the kernel trees (cached across runs) while the other tiers run
          globalSetup: ['test/support/kernel-setup.ts'],
          testTimeout: 1_800_000 * scale,
          hookTimeout: 1_800_000 * scale,
          // kernel-tier tests extract trees and run the kernel's own tools: one file at a time
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
