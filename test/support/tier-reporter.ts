/**
 * Vitest reporter that closes a run with one line per tier (vitest project): its tests by state
 * and its time, after vitest's own summary (which stays as it is):
 *
 *   tier unit: 192 tests (192 passed), 14.2 s wall, 31.0 s in files
 *     slowest: unit/kconfig/engine 4.1 s, unit/matrix/report 3.0 s, …
 *
 * "wall" runs from the first file of the tier starting to load to its last file ending (tiers
 * overlap: they share the run's workers); "in files" adds up each file's own time.
 *
 * Skipped or todo tests, and tiers that were expected but did not run (KPLAY_TEST_EXPECT_TIERS,
 * set by scripts/test.mjs), get a loud line; under CI (CI=true) they fail the run. When
 * KPLAY_TEST_SUMMARY names a file, the counts are also written there as JSON for scripts/test.mjs.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

export interface TierSummary {
  name: string;
  files: number;
  failedFiles: number;
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Tests named "exhaustive: …" (test/support/exhaustive.ts) left out of a default run. */
  exhaustiveOnly: number;
  wallMs: number;
  fileMs: number;
  /** The tier's slowest files (own time, longest first): where to look when the run is over budget. */
  slowest: Array<{ file: string; ms: number }>;
  skippedNames: string[];
}

/** How many of each tier's slowest files the summary names. */
const SLOWEST = 5;

export interface RunSummary {
  tiers: TierSummary[];
  notRun: string[];
  ci: boolean;
  ok: boolean;
}

/** Is the test, or a suite around it, named "exhaustive: …" (test/support/exhaustive.ts)? */
function isExhaustiveOnly(c: TestCase): boolean {
  let node: TestCase | TestSuite | TestModule = c;
  while (node.type !== 'module') {
    if (node.name.startsWith('exhaustive:')) return true;
    node = node.parent;
  }
  return false;
}

export const isCI = (): boolean => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "kernel/a.test.ts 80.1 s, kernel/b.test.ts 61.0 s" (test/ and the extension left out). */
function slowestText(files: ReadonlyArray<{ file: string; ms: number }>): string {
  return files.map((f) => `${f.file.replace(/^test\//, '').replace(/\.test\.ts$/, '')} ${seconds(f.ms)}`).join(', ');
}

export default class TierReporter implements Reporter {
  private readonly ends = new Map<string, number>();

  onTestModuleEnd(module: TestModule): void {
    this.ends.set(module.moduleId, Date.now());
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    // vitest calls every reporter's onTestRunEnd and onFinished together; the default reporter
    // prints its summary synchronously there: yield once so these lines come after it
    await new Promise((r) => setImmediate(r));
    const exhaustive = process.env.KPLAY_EXHAUSTIVE === '1';
    const tiers = new Map<string, TierSummary & { start: number; end: number }>();
    for (const m of modules) {
      const name = m.project.name || 'default';
      let t = tiers.get(name);
      if (!t) {
        t = {
          name,
          files: 0,
          failedFiles: 0,
          tests: 0,
          passed: 0,
          failed: 0,
          skipped: 0,
          exhaustiveOnly: 0,
          wallMs: 0,
          fileMs: 0,
          slowest: [],
          skippedNames: [],
          start: Infinity,
          end: 0,
        };
        tiers.set(name, t);
      }
      const d = m.diagnostic();
      const own = d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + d.duration;
      const end = this.ends.get(m.moduleId) ?? Date.now();
      t.start = Math.min(t.start, end - own);
      t.end = Math.max(t.end, end);
      t.fileMs += own;
      t.files++;
      t.slowest.push({ file: path.relative(process.cwd(), m.moduleId), ms: Math.round(own) });
      // a file that failed outside its tests (import error, failing beforeAll of the module)
      if (m.state() === 'failed' && m.errors().length > 0) t.failedFiles++;
      for (const c of m.children.allTests()) {
        t.tests++;
        const state = c.result().state;
        if (state === 'passed') t.passed++;
        else if (state === 'failed') t.failed++;
        else if (state === 'skipped' && !exhaustive && isExhaustiveOnly(c)) t.exhaustiveOnly++;
        else if (state === 'skipped') {
          t.skipped++;
          t.skippedNames.push(`${path.relative(process.cwd(), c.module.moduleId)} > ${c.fullName}`);
        }
      }
    }
    const ci = isCI();
    const expected = (process.env.KPLAY_TEST_EXPECT_TIERS ?? '').split(',').filter(Boolean);
    const notRun = expected.filter((n) => !tiers.get(n)?.tests);
    const lines: string[] = [''];
    for (const t of tiers.values()) {
      t.wallMs = t.end > t.start ? t.end - t.start : 0;
      const states = [
        `${t.passed} passed`,
        t.failed ? `${t.failed} failed` : '',
        t.skipped ? `${t.skipped} skipped` : '',
        t.exhaustiveOnly ? `${t.exhaustiveOnly} left for test:exhaustive` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const broken = t.failedFiles ? `, ${t.failedFiles} file(s) failed to run` : '';
      lines.push(` tier ${t.name}: ${t.tests} tests (${states}${broken}), ${seconds(t.wallMs)} wall, ${seconds(t.fileMs)} in files`);
      t.slowest = t.slowest.sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
      if (t.files > 1) lines.push(`   slowest: ${slowestText(t.slowest)}`);
    }
    let ok = true;
    for (const t of tiers.values()) {
      if (t.skipped === 0) continue;
      if (ci) ok = false;
      lines.push(
        ` !!! tier ${t.name}: ${t.skipped} test(s) did not run${ci ? ' (a failure under CI)' : ''}: ${t.skippedNames.slice(0, 5).join('; ')}${t.skippedNames.length > 5 ? '; …' : ''}`,
      );
    }
    for (const n of notRun) {
      if (ci) ok = false;
      lines.push(
        ` !!! tier ${n}: NOT RUN${ci ? ' (a failure under CI)' : ''}: no test of it ran (KPLAY_TEST_TIERS=${process.env.KPLAY_TEST_TIERS ?? ''})`,
      );
    }
    console.log(lines.join('\n'));
    if (!ok) process.exitCode = 1;
    const file = process.env.KPLAY_TEST_SUMMARY;
    if (file) {
      const summary: RunSummary = {
        tiers: [...tiers.values()].map(({ start: _s, end: _e, ...t }) => t),
        notRun,
        ci,
        ok,
      };
      writeFileSync(file, JSON.stringify(summary, null, 2));
    }
  }
}
