import { defineConfig } from 'vitest/config';

// Three tiers (see docs/testing.md): unit and integration run on every `npm test`;
// the kernel tier needs Debian's linux-source-6.1 and rpm, which .ci/run installs.
export default defineConfig({
  test: {
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
          // untrusted input must never run code, destroy files or smuggle lines (issue 12)
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
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
