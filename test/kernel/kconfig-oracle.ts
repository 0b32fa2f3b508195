import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KconfigTree } from '../../src/kconfig/kconfig-tree.js';
import { loadKconfigTree } from '../../src/kconfig/load-kconfig-tree.js';
import { buildReferenceConf, referenceConfDigest, runReferenceConf, type ReferenceRun } from '../../src/kconfig/reference-conf.js';
import type { RpmArch } from '../../src/model/arch.js';
import { testCacheDir } from '../support/paths.js';

/**
 * Shared plumbing of the kernel-tier Kconfig tests: Debian's kernel tarballs and configs, the
 * kernel's own conf built from each tree (cached), and its outputs cached by input digest in a
 * persistent folder next to the extracted test trees, so a rerun only pays for new inputs.
 */
export const KERNELS = [
  { version: '6.1', tarball: '/usr/src/linux-source-6.1.tar.xz', configs: '/usr/src/linux-config-6.1' },
  { version: '6.12', tarball: '/usr/src/linux-source-6.12.tar.xz', configs: '/usr/src/linux-config-6.12' },
] as const;
export type Kernel = (typeof KERNELS)[number];

export const ARCHES: RpmArch[] = ['x86_64', 'aarch64', 'ppc64le', 's390x', 'riscv64'];

/** Persistent caches of the kernel tier (shared by worktrees, like the extracted trees). */
export const TIER_CACHE = path.join(testCacheDir(), 'kconfig-cache');
const ORACLE_CACHE = path.join(testCacheDir(), 'kconfig-oracle');

export function requireKernel(k: Kernel): void {
  if (!existsSync(k.tarball)) throw new Error(`${k.tarball} is missing: install the Debian package linux-source-${k.version}`);
  if (!existsSync(k.configs)) throw new Error(`${k.configs} is missing: install the Debian package linux-config-${k.version}`);
}

export function debianConfig(k: Kernel, flavour = 'amd64_none_amd64'): string {
  return execFileSync('xz', ['-dc', path.join(k.configs, `config.${flavour}.xz`)], { encoding: 'latin1', maxBuffer: 64 << 20 });
}

export async function kernelTree(k: Kernel, arch: RpmArch): Promise<KconfigTree> {
  return loadKconfigTree({ source: k.tarball, arch, cacheDir: TIER_CACHE });
}

/** Counts of oracle runs served from the cache and really run (printed by the tests). */
export const oracleStats = { cached: 0, ran: 0 };

/** The kernel's own conf on this tree and input, cached by (conf sources, env, mode, seed, input). */
export async function oracle(tree: KconfigTree, r: ReferenceRun): Promise<string> {
  const env = Object.entries(tree.env)
    .filter(([k]) => k !== 'srctree')
    .sort();
  const key = createHash('sha256')
    .update(JSON.stringify([referenceConfDigest(tree.root), tree.srcarch, tree.makeArch, env, r.mode, r.seed ?? null]))
    .update('\0')
    .update(r.input ?? '')
    .digest('hex');
  const file = path.join(ORACLE_CACHE, `${key}.config`);
  if (existsSync(file)) {
    oracleStats.cached++;
    return readFileSync(file, 'latin1');
  }
  const conf = await buildReferenceConf(tree.root, TIER_CACHE);
  const out = await runReferenceConf(conf, tree, r);
  mkdirSync(ORACLE_CACHE, { recursive: true });
  writeFileSync(`${file}.${process.pid}`, out, 'latin1');
  renameSync(`${file}.${process.pid}`, file);
  oracleStats.ran++;
  return out;
}

/** Small deterministic PRNG so a case is the same on every run with the same seed. */
export function prng(seed: number): (n: number) => number {
  let s = (seed * 7919 + 1) >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

/**
 * Perturb a config the way features do: drop some lines, set every member of a few choices to
 * "is not set" (leaving one member without a line, or none), ask for a second member of a choice,
 * and flip bool/tristate values and numbers. Returns the new text (later lines win).
 */
export function perturb(tree: KconfigTree, text: string, seed: number): string {
  const rand = prng(seed);
  const lines = text.split('\n').filter((l) => l !== '');
  const out = lines.filter(() => rand(100) >= 3);
  const choices = tree.symbols.created.filter((s) => s.isChoice && (s.choiceProp()?.choiceMembers?.length ?? 0) > 1);
  for (let i = 0; i < 4 && choices.length; i++) {
    const members = choices[rand(choices.length)]!.choiceProp()!.choiceMembers!;
    const keep = rand(members.length + 1); // == length: every member "is not set"
    members.forEach((m, j) => {
      if (j !== keep) out.push(`# CONFIG_${m.name} is not set`);
    });
    if (rand(3) === 0 && keep < members.length) out.push(`CONFIG_${members[rand(members.length)]!.name}=y`);
  }
  const symbols = [...tree.symbols.names()].map((n) => tree.symbols.find(n)!).filter((s) => s.type !== 'unknown');
  for (let i = 0; i < 25; i++) {
    const s = symbols[rand(symbols.length)]!;
    let v: string;
    switch (s.type) {
      case 'bool':
        v = ['y', 'n'][rand(2)]!;
        break;
      case 'tristate':
        v = ['y', 'm', 'n'][rand(3)]!;
        break;
      case 'int':
        v = String(rand(5000));
        break;
      case 'hex':
        v = `0x${rand(65536).toString(16)}`;
        break;
      default:
        v = `"r${rand(100)}"`;
    }
    out.push(v === 'n' ? `# CONFIG_${s.name} is not set` : `CONFIG_${s.name}=${v}`);
  }
  return `${out.join('\n')}\n`;
}

/** The first differing symbols of two .config texts (after the heading), for failure messages. */
export function firstDifferences(reference: string, ours: string, limit = 5): string | undefined {
  const a = reference.split('\n').slice(4);
  const b = ours.split('\n').slice(4);
  if (a.join('\n') === b.join('\n')) return undefined;
  const sym = (l: string | undefined): string | undefined => /^(?:# )?CONFIG_(\w+)[= ]/.exec(l ?? '')?.[1];
  const ref = new Map(a.map((l) => [sym(l), l] as const).filter(([k]) => k));
  const mine = new Map(b.map((l) => [sym(l), l] as const).filter(([k]) => k));
  const diffs: string[] = [];
  for (const [k, l] of ref) {
    if (mine.get(k) !== l) diffs.push(`${k}: conf ${JSON.stringify(l)}, kplay ${JSON.stringify(mine.get(k) ?? '(absent)')}`);
    if (diffs.length >= limit) break;
  }
  for (const [k, l] of mine) {
    if (diffs.length >= limit) break;
    if (!ref.has(k)) diffs.push(`${k}: conf (absent), kplay ${JSON.stringify(l)}`);
  }
  if (!diffs.length) {
    const i = a.findIndex((l, j) => l !== b[j]);
    diffs.push(`line ${i + 5}: conf ${JSON.stringify(a[i])}, kplay ${JSON.stringify(b[i])}`);
  }
  return diffs.join('; ');
}

/** Run async jobs with at most `n` at a time, in order of the list. */
export async function pool<T>(items: readonly T[], n: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await job(items[next++]!);
  });
  await Promise.all(workers);
}
