import { describe, it } from 'vitest';
import { EXHAUSTIVE } from './paths.js';

/**
 * A suite that runs only in `npm run test:exhaustive` (KPLAY_EXHAUSTIVE=1). Its name gets the
 * prefix "exhaustive: ", which the tier reporter (tier-reporter.ts) counts as expected to be
 * left out of a default run instead of as a skipped test. Keep a small default variant of the
 * same check in the default run, so a regression still fails `npm test`.
 */
export function describeExhaustive(name: string, fn: () => void): void {
  describe.runIf(EXHAUSTIVE)(`exhaustive: ${name}`, fn);
}

/** One test that runs only in `npm run test:exhaustive` (see describeExhaustive). */
export function itExhaustive(name: string, fn: () => Promise<void> | void, timeout?: number): void {
  it.runIf(EXHAUSTIVE)(`exhaustive: ${name}`, fn, timeout);
}
