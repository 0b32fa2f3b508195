#!/usr/bin/env node
// Makes sure the system packages the tests need are installed (scripts/test-requirements.mjs).
// Missing ones are installed when this machine allows it without asking (root, or sudo without
// a password) with apt-get (Debian, Ubuntu) or dnf (Fedora); otherwise this stops at once with
// one message naming the exact command to run. KPLAY_TEST_NO_INSTALL=1 never installs.
//
//   node scripts/test-setup.mjs            the tiers in KPLAY_TEST_TIERS (default: all)
//   node scripts/test-setup.mjs --check    only report; exit 1 when something is missing
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REQUIREMENTS, TIERS } from './test-requirements.mjs';

/** @typedef {import('./test-requirements.mjs').Requirement} Requirement */
/** @typedef {import('./test-requirements.mjs').Tier} Tier */

/** The tiers selected by KPLAY_TEST_TIERS (comma-separated), all by default. */
export function selectedTiers(env = process.env) {
  const raw = (env.KPLAY_TEST_TIERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (raw.length === 0) return [...TIERS];
  const unknown = raw.filter((t) => !TIERS.includes(/** @type {Tier} */ (t)));
  if (unknown.length) throw new Error(`KPLAY_TEST_TIERS: unknown tier ${unknown.join(', ')} (tiers: ${TIERS.join(', ')})`);
  return /** @type {Tier[]} */ (raw);
}

const SEARCH_PATH = () => [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);

function onPath(cmd) {
  return SEARCH_PATH().some((dir) => {
    try {
      const st = statSync(path.join(dir, cmd));
      return st.isFile() && (st.mode & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/** Does `pattern` exist? A `*` matches within one path segment. */
function fileExists(pattern) {
  if (!pattern.includes('*')) return existsSync(pattern);
  const parts = pattern.split('/');
  let candidates = ['/'];
  for (const part of parts.filter(Boolean)) {
    const next = [];
    for (const dir of candidates) {
      if (!part.includes('*')) {
        next.push(path.join(dir, part));
        continue;
      }
      const re = new RegExp(`^${part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      try {
        for (const n of readdirSync(dir)) if (re.test(n)) next.push(path.join(dir, n));
      } catch {
        // not a folder
      }
    }
    candidates = next;
  }
  return candidates.some((c) => existsSync(c));
}

/** What of `req` is missing: commands and files, as words for a message. */
export function missingParts(req) {
  const missing = [];
  for (const b of req.bins ?? []) {
    if (b === 'chromium' && process.env.KPLAY_CHROMIUM) {
      if (!existsSync(process.env.KPLAY_CHROMIUM)) missing.push(process.env.KPLAY_CHROMIUM);
    } else if (!onPath(b)) missing.push(b);
  }
  for (const f of req.files ?? []) if (!fileExists(f)) missing.push(f);
  return missing;
}

/** @param {Tier[]} tiers */
export function missingRequirements(tiers) {
  return REQUIREMENTS.filter((r) => r.tiers.some((t) => tiers.includes(t))).filter((r) => missingParts(r).length > 0);
}

/** 'apt' on Debian and Ubuntu (and their derivatives), 'dnf' on Fedora and its relatives, else undefined. */
export function packageManager() {
  let text;
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch {
    return undefined;
  }
  const ids = [...text.matchAll(/^(?:ID|ID_LIKE)="?([^"\n]*)"?$/gm)].flatMap((m) => m[1].split(/\s+/));
  if (ids.some((id) => ['debian', 'ubuntu'].includes(id))) return 'apt';
  if (ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return 'dnf';
  return undefined;
}

/** Run a package manager; its progress output is dropped, its errors shown. */
function run(argv, env = process.env) {
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env });
  return r.status === 0;
}

/** '' when root, 'sudo' when sudo works without a password, undefined when neither. */
function privilege() {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '';
  const r = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return r.status === 0 ? 'sudo' : undefined;
}

/** The commands that install `reqs` (as shown to a person), and the packages without one. */
function installPlan(reqs, pm, sudo) {
  const pre = sudo ? 'sudo ' : '';
  if (pm === 'dnf') {
    const pkgs = reqs.filter((r) => r.dnf).map((r) => r.dnf);
    const manual = reqs.filter((r) => !r.dnf);
    return { commands: pkgs.length ? [`${pre}dnf install -y ${pkgs.join(' ')}`] : [], pkgs, manual };
  }
  const pkgs = reqs.map((r) => r.apt);
  return { commands: [`${pre}apt-get update`, `${pre}apt-get install -y ${pkgs.join(' ')}`], pkgs, manual: [] };
}

function describe(reqs) {
  return reqs.map((r) => `  ${r.apt.padEnd(20)} missing ${missingParts(r).join(', ')} (${r.why})`).join('\n');
}

/**
 * Check the requirements of `tiers`; install what is missing when allowed. Returns true when
 * everything is there afterwards; otherwise prints one message and returns false.
 * @param {Tier[]} tiers
 * @param {{ install?: boolean, log?: (s: string) => void }} [opts]
 */
export function ensureRequirements(tiers, opts = {}) {
  const log = opts.log ?? ((s) => console.error(s));
  let missing = missingRequirements(tiers);
  const wanted = REQUIREMENTS.filter((r) => r.tiers.some((t) => tiers.includes(t))).length;
  if (missing.length === 0) {
    log(`test setup: all ${wanted} system requirements of the ${tiers.join(', ')} tier(s) are present`);
    return true;
  }
  const pm = packageManager();
  const sudo = opts.install === false || process.env.KPLAY_TEST_NO_INSTALL === '1' ? undefined : privilege();
  if (pm && sudo !== undefined) {
    const plan = installPlan(missing, pm, sudo);
    if (plan.pkgs.length) {
      log(`test setup: installing ${plan.pkgs.join(' ')}`);
      const pre = sudo ? ['sudo'] : [];
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const ok =
        pm === 'apt'
          ? run([...pre, 'apt-get', 'update', '-qq'], env) &&
            run([...pre, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...plan.pkgs], env)
          : run([...pre, 'dnf', 'install', '-y', '-q', ...plan.pkgs], env);
      if (!ok) log('test setup: the package manager failed (see above)');
    }
    missing = missingRequirements(tiers);
    if (missing.length === 0) {
      log(`test setup: all ${wanted} system requirements of the ${tiers.join(', ')} tier(s) are present`);
      return true;
    }
  }
  const plan = installPlan(missing, pm ?? 'apt', sudo === undefined ? 'sudo' : sudo);
  const lines = [`test setup: the tests need system packages that are missing:`, describe(missing)];
  if (!pm) lines.push(`This is neither Debian/Ubuntu nor Fedora; the Debian names are above, and on Fedora:`);
  if (pm !== 'dnf') lines.push('Install them with:', `  ${plan.commands.join(' && ')}`);
  if (!pm) lines.push(`  ${installPlan(missing, 'dnf', 'sudo').commands.join(' && ')}`);
  if (pm === 'dnf') {
    if (plan.commands.length) lines.push('Install them with:', `  ${plan.commands.join(' && ')}`);
    for (const r of plan.manual)
      lines.push(`  ${r.apt}: ${r.manual ?? 'no Fedora package; install it by hand'} (${missingParts(r).join(', ')})`);
  }
  lines.push(
    `then run npm test again. To run only some tiers: KPLAY_TEST_TIERS=unit,integration npm test (the others are reported as not run${
      process.env.CI ? ', which fails under CI' : ''
    }).`,
  );
  log(lines.join('\n'));
  return false;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const check = process.argv.includes('--check');
  let tiers;
  try {
    tiers = selectedTiers();
  } catch (e) {
    console.error(`test setup: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  process.exit(ensureRequirements(tiers, { install: !check }) ? 0 : 1);
}
