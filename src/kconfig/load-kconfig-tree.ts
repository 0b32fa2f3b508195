import { readFileSync } from 'node:fs';
import path from 'node:path';
import { kernelMakeArch, kernelSrcArch, type RpmArch } from '../model/arch.js';
import { isDirectory } from '../sources/source-tree.js';
import { extractKconfigSubset } from '../sources/kconfig-cache.js';
import { buildKconfigTree } from './build-kconfig-tree.js';
import { kconfigEnvironment, kernelVersionFromMakefile, TOOL_VARIABLES, toolNames, type KconfigEnvInput } from './kconfig-env.js';
import type { KconfigTree } from './kconfig-tree.js';
import { defaultCacheDir, MemoisedShell, toolchainIdentity } from './memoised-shell.js';

export interface LoadKconfigTreeOptions {
  /** Kernel tree folder or source tarball. */
  source: string;
  /** RPM arch (x86_64, aarch64, ...); or give srcarch/makeArch directly. */
  arch?: RpmArch;
  srcarch?: string;
  makeArch?: string;
  /** Cache folder (default $KPLAY_CACHE_DIR, $XDG_CACHE_HOME/kplay, ~/.cache/kplay); false disables caching. */
  cacheDir?: string | false;
  crossCompile?: string;
  tools?: KconfigEnvInput['tools'];
}

const loaded = new Map<string, KconfigTree>();

/**
 * Parse a kernel tree's Kconfig for one architecture. Macro shell commands are memoised per
 * toolchain in the cache folder, tarballs are read once into a cached Kconfig subset, and parsed
 * trees are kept for the life of the process.
 */
export async function loadKconfigTree(opts: LoadKconfigTreeOptions): Promise<KconfigTree> {
  const cacheDir = opts.cacheDir === false ? undefined : (opts.cacheDir ?? defaultCacheDir());
  const srcarch = opts.srcarch ?? (opts.arch ? kernelSrcArch(opts.arch) : undefined);
  const makeArch = opts.makeArch ?? (opts.arch ? kernelMakeArch(opts.arch) : srcarch);
  if (!srcarch || !makeArch) throw new Error('loadKconfigTree: an arch is required');
  const root = (await isDirectory(opts.source))
    ? path.resolve(opts.source)
    : await extractKconfigSubset(path.resolve(opts.source), cacheDir ?? path.join(defaultCacheDir()));
  const key = JSON.stringify([root, srcarch, makeArch, opts.crossCompile ?? '', opts.tools ?? {}, cacheDir ?? '']);
  const hit = loaded.get(key);
  if (hit) return hit;
  const tree = loadKconfigTreeSync({ ...opts, label: opts.source, root, srcarch, makeArch, cacheDir });
  loaded.set(key, tree);
  return tree;
}

export interface LoadKconfigTreeSyncOptions {
  label: string;
  root: string;
  arch?: RpmArch;
  srcarch: string;
  makeArch: string;
  cacheDir: string | undefined;
  crossCompile?: string;
  tools?: KconfigEnvInput['tools'];
}

/** Parse a Kconfig tree from an extracted folder (no caching of the parsed result). */
export function loadKconfigTreeSync(o: LoadKconfigTreeSyncOptions): KconfigTree {
  const read = (rel: string): string | undefined => {
    try {
      return readFileSync(path.join(o.root, rel), 'latin1');
    } catch {
      return undefined;
    }
  };
  const makefile = read('Makefile') ?? '';
  const envInput: KconfigEnvInput = {
    srctree: o.root,
    arch: o.makeArch,
    srcarch: o.srcarch,
    kernelVersion: kernelVersionFromMakefile(makefile),
    crossCompile: o.crossCompile,
    tools: o.tools,
  };
  const baseEnv: Record<string, string> = { srctree: o.root, ARCH: o.makeArch, SRCARCH: o.srcarch, CROSS_COMPILE: o.crossCompile ?? '', ...(o.tools ?? {}) };
  baseEnv.PATH = process.env.PATH ?? '';
  const identity = toolchainIdentity({ ...baseEnv, ...toolNames(o.crossCompile ?? '', o.tools), KERNELVERSION: envInput.kernelVersion }, TOOL_VARIABLES);
  const shell = new MemoisedShell(o.cacheDir ? path.join(o.cacheDir, 'kconfig-shell', `${identity}.json`) : undefined);
  const env = kconfigEnvironment(envInput, shell);
  shell.useEnv(env);
  try {
    const tree = buildKconfigTree({
      label: o.label,
      root: o.root,
      read,
      shell,
      env,
      ...(o.arch ? { arch: o.arch } : {}),
      srcarch: o.srcarch,
      makeArch: o.makeArch,
      kernelVersion: envInput.kernelVersion,
    });
    return { ...tree, spawnedCommands: shell.spawned };
  } finally {
    shell.save();
  }
}
