/**
 * Answers of `kplay kconfig resolve` kept per question, so asking the same question again costs a
 * file read instead of loading and evaluating the tree: `<cache>/kconfig-resolved/<key>.json`
 * holds the resolved .config and the findings. The key names everything the answer depends on:
 * the engine's code (engineStamp), the tarball's extracted subset (a folder named by the tarball's
 * sha256), the arch, the toolchain identity (as the parsed-tree cache keys it), and the bytes and
 * names of the base config and the fragments. Only tarball sources are memoised: an extracted
 * folder can change under the same name (its parsed tree is checked file by file instead).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../findings/finding.js';
import { kernelMakeArch, kernelSrcArch, type RpmArch } from '../model/arch.js';
import { isDefconfigTarget } from './defconfig-path.js';
import { TOOL_VARIABLES, toolNames } from './kconfig-env.js';
import { toolchainIdentity } from './memoised-shell.js';
import { engineStamp } from './parsed-tree-cache.js';

/** What a resolve answered: the .config it wrote and the findings it reported. */
export interface ResolveAnswer {
  configText: string;
  findings: Finding[];
}

export interface ResolveQuestion {
  /** The extracted subset folder of the tarball (content-addressed: kconfig-cache.ts). */
  subset: string;
  arch: RpmArch;
  /** `--config`: a file path or a make target such as `defconfig`. */
  config: string;
  /** `--fragment` paths, in order. */
  fragments: readonly string[];
}

const FORMAT = 'kplay-resolve-memo-1';
/** Answers kept; beyond this many, the least recently used are removed (each is ~0.3 MB). */
export const KEEP_ANSWERS = 64;

let findingsDigest: string | undefined;

/** A digest of the findings modules (the catalogue gives findings their severity): a change is a new key. */
function findingsStamp(): string {
  if (findingsDigest) return findingsDigest;
  const h = createHash('sha256');
  try {
    const dir = fileURLToPath(new URL('../findings/', import.meta.url));
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.js')) continue;
      h.update(`${name}\n`);
      h.update(readFileSync(path.join(dir, name)));
    }
  } catch {
    h.update(`unknown ${Date.now()}`);
  }
  return (findingsDigest = h.digest('hex'));
}

function memoDir(cacheDir: string): string {
  return path.join(cacheDir, 'kconfig-resolved');
}

/**
 * The memo file for a question, or undefined when one of its files cannot be read (the normal
 * path then reports it). The toolchain identity is the one the parsed-tree cache uses for this
 * arch without the kernel version, which the subset's content already fixes.
 */
export function resolveMemoFile(cacheDir: string, q: ResolveQuestion): string | undefined {
  const h = createHash('sha256');
  const part = (label: string, value: string | Buffer): void => {
    h.update(`\0${label}\0${typeof value === 'string' ? Buffer.byteLength(value) : value.length}\0`);
    h.update(value);
  };
  part('format', FORMAT);
  part('engine', engineStamp());
  part('findings', findingsStamp());
  part('subset', path.resolve(q.subset));
  const srcarch = kernelSrcArch(q.arch);
  const makeArch = kernelMakeArch(q.arch);
  part('arch', `${q.arch} ${srcarch} ${makeArch}`);
  const env = { ARCH: makeArch, SRCARCH: srcarch, CROSS_COMPILE: '', PATH: process.env.PATH ?? '' };
  part('toolchain', toolchainIdentity({ ...env, ...toolNames('') }, TOOL_VARIABLES));
  try {
    if (isDefconfigTarget(q.config) && !q.config.includes('/')) part('config-target', q.config);
    else {
      part('config-file', q.config);
      part('config-bytes', readFileSync(q.config));
    }
    for (const f of q.fragments) {
      part('fragment-file', f);
      part('fragment-bytes', readFileSync(f));
    }
  } catch {
    return undefined;
  }
  return path.join(memoDir(cacheDir), `${h.digest('hex').slice(0, 40)}.json`);
}

/** The stored answer, or undefined (none, unreadable or of another format). */
export function readResolveMemo(file: string): ResolveAnswer | undefined {
  let stored: { format?: unknown; configText?: unknown; findings?: unknown };
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  } catch {
    return undefined;
  }
  if (stored?.format !== FORMAT || typeof stored.configText !== 'string' || !Array.isArray(stored.findings)) return undefined;
  try {
    // the mtime is the last use (least recently used answers go first)
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // read-only cache
  }
  return { configText: stored.configText, findings: stored.findings as Finding[] };
}

/** Store an answer (atomically; a failure only costs the next run the full resolve). */
export function writeResolveMemo(file: string, answer: ResolveAnswer): void {
  try {
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, configText: answer.configText, findings: answer.findings }));
    renameSync(tmp, file);
    const kept = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => ({ file: path.join(dir, n), used: n === path.basename(file) ? Infinity : statSync(path.join(dir, n)).mtimeMs }));
    if (kept.length <= KEEP_ANSWERS) return;
    kept.sort((a, b) => b.used - a.used);
    for (const k of kept.slice(KEEP_ANSWERS)) rmSync(k.file, { force: true });
  } catch {
    // read-only cache, or raced with another run's removal
  }
}
