#!/usr/bin/env node
// `npm test`: the one command that checks a change, locally and in CI (.ci/run).
//
//   1. setup      system packages the tiers need (scripts/test-setup.mjs: installs or stops)
//   2. build      dist/ when older than src/ (the CLI tests run the built kplay)
//   3. typecheck  tsc --noEmit over src/ and test/           } side by side, each one's
//   4. lint       ESLint (typescript-eslint, type-aware)       } output printed when it
//   5. format     Prettier --check and .editorconfig           } ends
//   6. tests      vitest run, every tier (or those in KPLAY_TEST_TIERS)
//
// A failing gate does not stop the tests (one run shows everything); the exit code is 1 when
// anything failed. Arguments after `--` go to vitest (`npm test -- test/unit`); KPLAY_TEST_GATES=0
// skips steps 3-5 for a quick local run (never under CI). The run ends with a time per step and
// per tier and one closing line `tests: N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
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

/**
 * Run a gate's commands one after the other with their output kept, and print it in one piece
 * when the gate ends (gates run side by side).
 * @param {string} name
 * @param {Array<[string, string[]]>} commands
 * @param {string} [hint] shown when the gate fails
 */
async function gate(name, commands, hint) {
  const t0 = Date.now();
  let ok = true;
  let output = '';
  for (const [cmd, args] of commands) {
    const r = await new Promise((resolve) => {
      const child = spawn(cmd, args, {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
      });
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('error', (e) => resolve({ status: 1, error: e }));
      child.on('close', (status) => resolve({ status }));
    });
    if (r.error) output += `${cmd}: ${r.error.message}\n`;
    if (r.status !== 0) ok = false;
  }
  const ms = Date.now() - t0;
  console.log(`\n── ${name}: ${ok ? 'ok' : 'FAILED'} (${seconds(ms)}) ──`);
  if (output.trim()) console.log(output.trimEnd());
  return { name, ms, ok, note: ok ? undefined : hint };
}

function newestMtime(dir) {
  let newest = 0;
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** True when dist/ is missing or older than a file of src/ or the build's tsconfig files. */
function buildIsStale() {
  try {
    const built = statSync(path.join(root, 'dist', 'cli', 'main.js')).mtimeMs;
    const inputs = Math.max(
      newestMtime(path.join(root, 'src')),
      statSync(path.join(root, 'tsconfig.json')).mtimeMs,
      statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
    );
    return built < inputs;
  } catch {
    return true;
  }
}

// ---- 1. setup: stops at once when something is missing and cannot be installed
let tiers;
try {
  tiers = selectedTiers();
} catch (e) {
  console.error(`npm test: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
if (!step('setup', () => ensureRequirements(tiers, { log: (s) => console.log(s) }))) process.exit(1);

// ---- 2. build: the CLI tests need it; without it nothing else is worth running (npm ci built it)
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (
  !step('build', () =>
    buildIsStale()
      ? run(process.execPath, [tsc, '-p', 'tsconfig.build.json']) &&
        run(process.execPath, [path.join(root, 'scripts', 'build-validators.mjs')])
      : { ok: true, note: 'dist/ is newer than src/' },
  )
) {
  console.error('npm test: the build failed (see above)');
  process.exit(1);
}

// ---- 3-5. quality gates, side by side (two cores); each one's output is shown when it ends
const gates = ci || process.env.KPLAY_TEST_GATES !== '0';
if (gates) {
  const t0 = Date.now();
  console.log('\n── typecheck, lint, format ──');
  const results = await Promise.all([
    gate('typecheck', [[process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit']]]),
    gate(
      'lint',
      [
        [bin('eslint'), ['--max-warnings=0', '.']],
        // dead code: exports, files and dependencies nothing uses (knip.json)
        [bin('knip'), ['--no-progress']],
      ],
      'knip lists exports nothing imports: delete them (or the `export`)',
    ),
    gate(
      'format',
      [
        [bin('prettier'), ['--check', '--log-level=warn', '--cache', '.']],
        [process.execPath, [path.join(root, 'scripts', 'check-editorconfig.mjs')]],
      ],
      '`npm run format` rewrites the files Prettier lists',
    ),
  ]);
  for (const r of results) steps.push(r);
  console.log(`(the three gates ran side by side in ${seconds(Date.now() - t0)})`);
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
  rmdirSync(tmpRoot);
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
  const left = t.exhaustiveOnly ? ` (${t.exhaustiveOnly} more in test:exhaustive)` : '';
  lines.push(` tier ${t.name}: ${t.tests - t.exhaustiveOnly} tests${left}, ${seconds(t.wallMs)} wall, ${seconds(t.fileMs)} in files`);
  // where the time goes: the tier's slowest files (test/support/tier-reporter.ts)
  if (t.files > 1 && t.slowest?.length)
    lines.push(
      `   slowest: ${t.slowest.map((f) => `${f.file.replace(/^test\//, '').replace(/\.test\.ts$/, '')} ${seconds(f.ms)}`).join(', ')}`,
    );
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
