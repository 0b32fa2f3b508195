import { lstatSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { kernelMakeArch, kernelSrcArch, type RpmArch } from '../model/arch.js';
import { damagedSubsetFiles, extractKconfigSubset, materializeSubset, subsetPack } from '../sources/kconfig-cache.js';
import { DamagedPackError, type FilePack } from '../sources/file-pack.js';
import { KconfigError } from './kconfig-error.js';
import { buildKconfigTree } from './build-kconfig-tree.js';
import { prepareMenuChoices } from './choice-menus.js';
import { detectDialect, dialectKey } from './dialect.js';
import { kconfigEnvironment, kernelVersionFromMakefile, TOOL_VARIABLES, toolNames, type KconfigEnvInput } from './kconfig-env.js';
import type { KconfigTree } from './kconfig-tree.js';
import { KconfigEvaluator } from './evaluator.js';
import { defaultCacheDir, MemoisedShell, toolchainIdentity } from './memoised-shell.js';
import { parsedTreeFile, readParsedTree, ReadRecorder, writeParsedTree } from './parsed-tree-cache.js';
import { recordShellCommands, RecordedShell, type RecordedShellCommands } from './recorded-shell.js';
import { prefetchShellResults } from './shell-prefetch.js';
import { decodeTree, encodeTree } from './tree-snapshot.js';

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
  /**
   * `dummy-tools`: resolve like a distribution's process_configs.sh (`make
   * CROSS_COMPILE=scripts/dummy-tools/`): the tree's own scripts/dummy-tools gcc, ld, nm, objcopy
   * (and pahole) answer every compiler probe as supported, so no value depends on the host's
   * toolchain. Overrides crossCompile and PAHOLE. Default `host`.
   */
  toolchain?: KconfigToolchain;
  /**
   * Run no macro command: answer only these (another tree's `shellCommands`, parsed with the same
   * toolchain) and refuse any other with E_KCONFIG_SHELL; read only regular files inside the tree.
   * For trees changed by untrusted patches. A function is called only when the tree is not in
   * the parsed-tree cache (getting another tree's commands may mean loading that tree).
   */
  onlyCommands?: OnlyCommands;
  /**
   * The files a patch series changed (path in the tree → bytes; null = deleted), read instead of
   * the source's own; `digest` names their content (it keys the parsed-tree cache). Such a tree
   * has no folder of its own: `ensureOnDisk` throws (nothing may run the kernel's conf on it).
   */
  patched?: PatchedFiles;
  /**
   * With `onlyCommands`: files a Kconfig file may `source` although they are no plain files
   * inside the tree (symbolic links: a tree of links, `cp -as`/lndir), because the unpatched
   * tree's own parse read them. Filled by the `onlyCommands` function, before the parse.
   */
  alsoReadable?: ReadonlySet<string>;
}

export type KconfigToolchain = 'host' | 'dummy-tools';

/** The tree's scripts/dummy-tools folder (with a trailing slash, as CROSS_COMPILE), or undefined when it has none (before 5.10). */
export function dummyToolsPrefix(root: string): string | undefined {
  const dir = path.join(root, 'scripts', 'dummy-tools');
  try {
    return statSync(path.join(dir, 'gcc')).isFile() ? `${dir}/` : undefined;
  } catch {
    return undefined;
  }
}

/** crossCompile and tools of a toolchain mode, for a tree extracted at `root`. */
function toolchainOptions(
  opts: Pick<LoadKconfigTreeOptions, 'toolchain' | 'crossCompile' | 'tools'>,
  root: string,
): Pick<LoadKconfigTreeOptions, 'crossCompile' | 'tools'> {
  if (opts.toolchain !== 'dummy-tools') return { crossCompile: opts.crossCompile, tools: opts.tools };
  const prefix = dummyToolsPrefix(root);
  // a kernel older than 5.10 has no dummy-tools: the distributions of that era (RHEL 8's
  // process_configs.sh) resolved their configs with the build host's toolchain, so kplay does too
  if (!prefix) return { crossCompile: opts.crossCompile, tools: opts.tools };
  return { crossCompile: prefix, tools: { ...opts.tools, PAHOLE: `${prefix}pahole` } };
}

export type OnlyCommands = RecordedShellCommands | (() => Promise<RecordedShellCommands>);

export interface PatchedFiles {
  files: ReadonlyMap<string, Buffer | null>;
  digest: string;
}

const loaded = new Map<string, KconfigTree>();

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

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
  const fromTarball = !isDirectory(opts.source);
  const subsetCache = cacheDir ?? defaultCacheDir();
  let root = fromTarball ? await extractKconfigSubset(path.resolve(opts.source), subsetCache) : path.resolve(opts.source);
  const key = JSON.stringify([
    root,
    srcarch,
    makeArch,
    opts.crossCompile ?? '',
    opts.tools ?? {},
    opts.toolchain ?? 'host',
    cacheDir ?? '',
    opts.patched?.digest ?? '',
  ]);
  const hit = opts.onlyCommands ? undefined : loaded.get(key);
  if (hit) return hit;
  const load = (from: string): Promise<KconfigTree> =>
    loadKconfigTreePrefetching({
      ...opts,
      ...toolchainOptions(opts, from),
      label: opts.source,
      root: from,
      srcarch,
      makeArch,
      cacheDir,
      pack: fromTarball ? subsetPack(from) : undefined,
    });
  let tree: KconfigTree;
  try {
    tree = await load(root);
  } catch (err) {
    // a damaged extraction must not be blamed on the kernel: check it, extract again once, retry
    if (!fromTarball || !(err instanceof KconfigError || err instanceof DamagedPackError) || (await damagedSubsetFiles(root)).length === 0)
      throw err;
    root = await extractKconfigSubset(path.resolve(opts.source), subsetCache, { refresh: true });
    tree = await load(root);
  }
  if (!opts.onlyCommands) loaded.set(key, tree);
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
  /**
   * The files of an extracted tarball subset (src/sources/kconfig-cache.ts): read from it instead
   * of the folder. Its folder is named by the tarball's digest, so a stored parse needs no check
   * of the files it read.
   */
  pack?: FilePack | undefined;
  /** See LoadKconfigTreeOptions.onlyCommands (the function form only with the async loader). */
  onlyCommands?: OnlyCommands;
  /** See LoadKconfigTreeOptions.patched. */
  patched?: PatchedFiles;
  /** See LoadKconfigTreeOptions.alsoReadable. */
  alsoReadable?: ReadonlySet<string>;
}

/**
 * Parse a Kconfig tree from an extracted folder. With a cache folder, the parsed tree is stored
 * under `kconfig-parsed/` and reused while the tree's files, the arch, the toolchain and the
 * engine are unchanged (see parsed-tree-cache.ts).
 */
export function loadKconfigTreeSync(o: LoadKconfigTreeSyncOptions): KconfigTree {
  const plan = planLoad(o);
  return 'done' in plan ? plan.done : plan.parse();
}

/**
 * Like loadKconfigTreeSync; when the toolchain's shell results are not memoised yet, a first
 * pass finds the tree's `$(shell,...)` commands and runs them side by side (shell-prefetch.ts)
 * before the real parse, which then finds them memoised. The kernel's conf runs them one by one.
 */
async function loadKconfigTreePrefetching(o: LoadKconfigTreeSyncOptions): Promise<KconfigTree> {
  const plan = planLoad(o);
  if ('done' in plan) return plan.done;
  await plan.prefetch();
  return plan.parse();
}

/**
 * What a tree changed by untrusted patches may read: regular files inside its folder, so a
 * `source "../../dev/zero"` (or a FIFO) is a missing file, not a read outside the tree or a hang.
 */
function isPlainFileInside(root: string, rel: string): boolean {
  if (path.isAbsolute(rel) || rel.split('/').includes('..')) return false;
  try {
    return lstatSync(path.join(root, rel)).isFile();
  } catch {
    return false;
  }
}

type LoadPlan = { done: KconfigTree } | { prefetch: () => Promise<void>; parse: () => KconfigTree };

/** A patched file's text, `null` when the series did not change `rel` (read the source's). */
function patchedText(patched: PatchedFiles | undefined, rel: string): string | undefined | null {
  if (!patched) return null;
  const key = path.posix.normalize(rel);
  if (!patched.files.has(key)) return null;
  const bytes = patched.files.get(key);
  return bytes ? bytes.toString('latin1') : undefined;
}

function planLoad(o: LoadKconfigTreeSyncOptions): LoadPlan {
  const recorder = o.pack ? undefined : new ReadRecorder(o.root);
  // the files kplay itself names (the Makefile, scripts/kconfig for the dialect, defconfigs)
  const readSource = (rel: string): string | undefined => {
    const changed = patchedText(o.patched, rel);
    if (changed !== null) return changed;
    if (o.pack) return o.pack.text(rel);
    try {
      return readFileSync(path.join(o.root, rel), 'latin1');
    } catch {
      return undefined;
    }
  };
  // what Kconfig files name (`source`): with untrusted patches, a plain file inside the tree, or
  // one the unpatched tree's own parse read (a tree of symbolic links: `cp -as`, lndir)
  const readNamed = (rel: string): string | undefined => {
    const unchanged = !o.pack && patchedText(o.patched, rel) === null;
    if (o.onlyCommands && unchanged && !isPlainFileInside(o.root, rel) && !o.alsoReadable?.has(rel)) return undefined;
    return readSource(rel);
  };
  const recorded =
    (reader: (rel: string) => string | undefined) =>
    (rel: string): string | undefined => {
      const text = reader(rel);
      // a patched file is part of the cache key (its digest), not a file of the folder to re-check
      if (patchedText(o.patched, rel) === null) recorder?.record(rel, text);
      return text;
    };
  const read = recorded(readNamed);
  const readOwn = recorded(readSource);
  const pack = o.pack;
  const ensureOnDisk = (): void => {
    if (o.patched) throw new Error(`${o.label}: a tree as patches leave it has no folder of its own`);
    if (pack) materializeSubset(o.root);
  };
  const makefile = readOwn('Makefile') ?? '';
  const envInput: KconfigEnvInput = {
    srctree: o.root,
    arch: o.makeArch,
    srcarch: o.srcarch,
    kernelVersion: kernelVersionFromMakefile(makefile),
    crossCompile: o.crossCompile,
    tools: o.tools,
  };
  const baseEnv: Record<string, string> = { ARCH: o.makeArch, SRCARCH: o.srcarch, CROSS_COMPILE: o.crossCompile ?? '', ...(o.tools ?? {}) };
  baseEnv.PATH = process.env.PATH ?? '';
  const identity = toolchainIdentity(
    { ...baseEnv, ...toolNames(o.crossCompile ?? '', o.tools), KERNELVERSION: envInput.kernelVersion },
    TOOL_VARIABLES,
  );
  const common = {
    label: o.label,
    root: o.root,
    arch: o.arch,
    srcarch: o.srcarch,
    makeArch: o.makeArch,
    kernelVersion: envInput.kernelVersion,
    readSource,
    ensureOnDisk,
  };
  const dialect = detectDialect(readOwn, envInput.kernelVersion);
  // a tree whose commands are only answered is cached only when its content is named (patched)
  const treeFile =
    o.cacheDir && (!o.onlyCommands || o.patched)
      ? parsedTreeFile(o.cacheDir, [
          o.root,
          o.srcarch,
          o.makeArch,
          identity,
          dialectKey(dialect),
          ...(o.patched ? ['patched', o.patched.digest] : []),
        ])
      : undefined;
  const stored = treeFile ? readParsedTree(treeFile, o.root) : undefined;
  if (stored && stored.kernelVersion === envInput.kernelVersion) {
    const parts = decodeTree(stored.snapshot);
    parts.symbols.hashSize = dialect.hashSize;
    if (dialect.choices === 'menu') prepareMenuChoices(parts.rootMenu, parts.symbols);
    const done: KconfigTree = {
      ...common,
      dialect,
      symbols: parts.symbols,
      rootMenu: parts.rootMenu,
      modules: parts.modules,
      evaluator: new KconfigEvaluator(parts.symbols, parts.modules, dialect),
      files: parts.files,
      warnings: parts.warnings,
      macroMessages: parts.macroMessages,
      env: stored.env,
      spawnedCommands: 0,
      shellCommands: stored.commands,
    };
    return { done };
  }

  const store = (tree: KconfigTree, env: Record<string, string>, commands: RecordedShellCommands): void => {
    if (treeFile)
      writeParsedTree(treeFile, {
        snapshot: encodeTree(tree),
        reads: recorder?.list() ?? [],
        env,
        kernelVersion: envInput.kernelVersion,
        commands,
      });
  };
  const only = o.onlyCommands;
  if (only) {
    // nothing to prefetch: this shell runs nothing; the answers are fetched only now (not cached)
    let commands = typeof only === 'function' ? undefined : only;
    return {
      prefetch: async () => {
        if (typeof only === 'function') commands ??= await only();
      },
      parse: () => {
        if (!commands) throw new Error('loadKconfigTreeSync: onlyCommands as a function needs the async loader');
        const shell = new RecordedShell(commands, o.root);
        const env = kconfigEnvironment(envInput, shell);
        const tree = buildKconfigTree({ ...common, arch: o.arch, read, shell, env, dialect });
        store(tree, env, { ...commands });
        return tree;
      },
    };
  }
  const shell = new MemoisedShell(o.cacheDir ? path.join(o.cacheDir, 'kconfig-shell', `${identity}.json`) : undefined);
  const env = kconfigEnvironment(envInput, shell);
  shell.useEnv(env);
  return {
    prefetch: async () => {
      if (shell.size >= PREFETCH_BELOW) return;
      try {
        await prefetchShellResults({ read: readSource, env, shell, dialect });
      } catch (err) {
        shell.save();
        throw err;
      }
    },
    parse: () => {
      try {
        const tree = buildKconfigTree({ ...common, arch: o.arch, read, shell, env, dialect });
        const commands = recordShellCommands(shell.issued, o.root);
        store(tree, env, commands);
        return { ...tree, spawnedCommands: shell.spawned, shellCommands: commands };
      } finally {
        shell.save();
      }
    },
  };
}

/**
 * Prefetch only for a toolchain with (almost) nothing memoised: with its results known, a new
 * tree misses just the few commands naming the tree's own scripts, not worth a second pass.
 */
const PREFETCH_BELOW = 20;
