/**
 * Vitest global setup of every run (vitest.config.ts): one temp root for everything the tests
 * and the programs they start write, and a fresh dist/ for the CLI tests.
 *
 * - TMPDIR (so os.tmpdir(), mktemp, rpmbuild's and Chromium's temp files) becomes
 *   `<repo>/.test-tmp/run-<pid>/`; KPLAY_CACHE_DIR (kplay's own cache, else ~/.cache/kplay)
 *   becomes a folder inside it. Workers inherit both: they start after this runs.
 * - At the end, whatever a test left there is listed on one line, grouped by name with counts
 *   (`kplay-cert-* ×12, …`, test/support/leftovers.ts), and removed with the folder; what appeared
 *   in the repository's top folder, out/, variants/ or features/ is named too (tests write under
 *   os.tmpdir()).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describeLeftovers, repositoryEntries, writtenIntoRepository } from './leftovers.js';
import { ROOT_OF_REPO, TEST_TMP_ROOT } from './paths.js';
import { ensureKplayBuilt } from './run-kplay.js';

export default async function setup(): Promise<() => void> {
  const runDir = path.join(TEST_TMP_ROOT, `run-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const saved = { TMPDIR: process.env.TMPDIR, KPLAY_CACHE_DIR: process.env.KPLAY_CACHE_DIR };
  process.env.TMPDIR = runDir;
  process.env.KPLAY_CACHE_DIR ??= path.join(runDir, 'kplay-cache');
  removeRunsOfDeadProcesses();
  await ensureKplayBuilt();
  const inRepository = repositoryEntries(ROOT_OF_REPO);

  return () => {
    const written = writtenIntoRepository(inRepository, repositoryEntries(ROOT_OF_REPO));
    if (written.length > 0) console.warn(`test hygiene: tests wrote into the repository (left in place): ${written.join(', ')}`);
    const left = readdirSync(runDir).filter((n) => n !== 'kplay-cache');
    if (left.length > 0) {
      console.warn(`test hygiene: tests left ${left.length} entries in ${runDir} (now removed): ${describeLeftovers(left)}`);
    }
    rmSync(runDir, { recursive: true, force: true });
    try {
      if (readdirSync(TEST_TMP_ROOT).length === 0) rmSync(TEST_TMP_ROOT, { recursive: true, force: true });
    } catch {
      // another run removed it
    }
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** run-<pid> folders of runs that were killed before their teardown. */
function removeRunsOfDeadProcesses(): void {
  if (!existsSync(TEST_TMP_ROOT)) return;
  for (const n of readdirSync(TEST_TMP_ROOT)) {
    const m = /^run-(\d+)$/.exec(n);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(TEST_TMP_ROOT, n), { recursive: true, force: true });
    }
  }
}
