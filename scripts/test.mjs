#!/usr/bin/env node
// `npm test`: the one command that checks a change, locally and in CI (.ci/run).
//
//   1. setup      system packages the tiers need (scripts/test-setup.mjs: installs or stops)
//   2. build      dist/ (the CLI tests run the built kplay)
//   3. typecheck  tsc --noEmit over src/ and test/
//   4. lint       ESLint (typescript-eslint, type-aware)
//   5. format     Prettier --check and .editorconfig
//   6. tests      vitest run, every tier (or those in KPLAY_TEST_TIERS)
//
// A failing gate does not stop the tests (one run shows everything); the exit code is 1 when
// anything failed. Arguments after `--` go to vitest (`npm test -- test/unit`); KPLAY_TEST_GATES=0
// skips steps 3-5 for a quick local run (never under CI). The run ends with a time per step and
// per tier and one closing line `tests: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIERS } from './test-requirements.mjs';
import { ensureRequirements, selectedTiers } from './test-setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const budgetS = Number(process.env.KPLAY_TEST_BUDGET_S ?? 600);
const exhaustive = process.env.KPLAY_EXHAUSTIVE === '1';

/** @type {Array<{ name: string, ms: number, ok: boolean, note?: string }>} */
const steps = [];
const started = Date.now();

function step(name, fn) {
  const t0 = Date.now();
  console.log(`\n── ${name} ──`);
  let ok = false;
  let note;
  try {
    const r = fn();
    ok = r === true || (typeof r === 'object' && r.ok);
    if (typeof r === 'object') note = r.note;
  } catch (e) {
    note = e instanceof Error ? e.message : String(e);
  }
  steps.push({ name, ms: Date.now() - t0, ok, note });
  return ok;
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---- 1. setup: stops at once when something is missing and cannot be installed
let tiers;
try {
  tiers = selectedTiers();
} catch (e) {
  console.error(`npm test: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
if (!step('setup', () => ensureRequirements(tiers, { log: (s) => console.log(s) }))) process.exit(1);

// ---- 2. build: the CLI tests need it; without it nothing else is worth running
if (
  !step('build', () => run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']))
) {
  console.error('npm test: the build failed (see above)');
  process.exit(1);
}

// ---- 3-5. quality gates
const gates = ci || process.env.KPLAY_TEST_GATES !== '0';
if (gates) {
  step('typecheck', () =>
    run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit']),
  );
  step('lint', () => run(bin('eslint'), ['--max-warnings=0', '.']));
  step('format', () => {
    const prettier = run(bin('prettier'), ['--check', '--log-level=warn', '.']);
    const editorconfig = run(process.execPath, [path.join(root, 'scripts', 'check-editorconfig.mjs')]);
    return { ok: prettier && editorconfig, note: prettier ? undefined : '`npm run format` rewrites the files Prettier lists' };
  });
}

// ---- 6. the tiers
const tmpRoot = path.join(root, '.test-tmp');
mkdirSync(tmpRoot, { recursive: true });
const summaryFile = path.join(tmpRoot, `summary-${process.pid}.json`);
const vitestArgs = process.argv.slice(2);
const projectArgs = tiers.length === TIERS.length ? [] : tiers.flatMap((t) => ['--project', t]);
// the tiers a plain run must show; an explicit file or --project selection is a partial run
const partial = vitestArgs.some((a) => !a.startsWith('-') || a.startsWith('--project'));
step('tests', () =>
  run(bin('vitest'), ['run', ...projectArgs, ...vitestArgs], {
    KPLAY_TEST_SUMMARY: summaryFile,
    KPLAY_TEST_EXPECT_TIERS: partial ? '' : TIERS.join(','),
  }),
);
/** @type {import('../test/support/tier-reporter.ts').RunSummary | undefined} */
let summary;
try {
  summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
} catch {
  // vitest did not get as far as its reporters
}
rmSync(summaryFile, { force: true });
try {
  rmSync(tmpRoot, { recursive: false });
} catch {
  // still in use by another run, or not empty
}

// ---- summary
const totalMs = Date.now() - started;
const lines = ['', '── npm test summary ──'];
for (const s of steps)
  lines.push(` ${s.name.padEnd(10)} ${seconds(s.ms).padStart(8)}  ${s.ok ? 'ok' : 'FAILED'}${s.note ? ` (${s.note})` : ''}`);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const t of summary?.tiers ?? []) {
  lines.push(` tier ${t.name}: ${t.tests} tests, ${seconds(t.wallMs)} wall, ${seconds(t.fileMs)} in files`);
  passed += t.passed;
  failed += t.failed + t.failedFiles;
  skipped += t.skipped;
}
for (const n of summary?.notRun ?? []) lines.push(` !!! tier ${n}: NOT RUN${ci ? ' (a failure under CI)' : ''}`);
const overBudget = !exhaustive && !partial && tiers.length === TIERS.length && totalMs > budgetS * 1000;
lines.push(
  ` total ${seconds(totalMs)} (budget ${budgetS} s${exhaustive ? ', not applied to the exhaustive run' : ''})${overBudget ? ' !!! OVER BUDGET' : ''}`,
);
const allOk = steps.every((s) => s.ok) && (summary?.ok ?? false);
lines.push(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
console.log(lines.join('\n'));
process.exit(allOk ? 0 : 1);
