import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT_OF_REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built CLI every CLI test runs (`npm test` and the vitest global setup build it). */
export const KPLAY_BIN = path.join(ROOT_OF_REPO, 'dist', 'cli', 'main.js');

/**
 * The one folder tests write to: `<repo>/.test-tmp/` (git-ignored). Each vitest run gets its own
 * `run-<pid>` folder inside it as TMPDIR, removed when the run ends (test/support/global-setup.ts).
 */
export const TEST_TMP_ROOT = path.join(ROOT_OF_REPO, '.test-tmp');

/**
 * Persistent cache shared by every run and every worktree on the machine (extracted kernel
 * trees): $KPLAY_TEST_CACHE, else $XDG_CACHE_HOME/kplay-test, else ~/.cache/kplay-test.
 */
export function testCacheDir(): string {
  if (process.env.KPLAY_TEST_CACHE) return path.resolve(process.env.KPLAY_TEST_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kplay-test');
}

/** True when KPLAY_EXHAUSTIVE=1 (`npm run test:exhaustive`): slow tests run their full variants. */
export const EXHAUSTIVE = process.env.KPLAY_EXHAUSTIVE === '1';

/** Runs of a property (fast-check) test: `n` by default, ten times as many when EXHAUSTIVE. */
export function propertyRuns(n: number): number {
  return EXHAUSTIVE ? n * 10 : n;
}
