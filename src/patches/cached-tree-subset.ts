import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readTarballEntries } from '../sources/tarball-entries.js';
import { TarballSubsetTree, type SourceTree } from '../sources/source-tree.js';

/**
 * The files a patch series touches, taken out of a source tarball once and kept in a cache
 * folder, so the next check of a series touching the same (or fewer) files does not decompress
 * the whole tarball again. A tarball is identified by its real path, size and modification time.
 *
 * Layout: `<cache>/<key>/index.json` ({ present: string[], absent: string[] }) and
 * `<cache>/<key>/files/<path>`.
 */
export interface TreeSubsetIndex {
  tarball: string;
  present: string[];
  absent: string[];
}

/** `$KPLAY_CACHE_DIR`, else `$XDG_CACHE_HOME/kplay`, else `~/.cache/kplay`; subsets live in `tree-subsets/`. */
export function defaultSubsetCacheDir(): string {
  const root = process.env.KPLAY_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kplay');
  return path.join(root, 'tree-subsets');
}

async function tarballKey(tarball: string): Promise<string> {
  const real = path.resolve(tarball);
  const info = await stat(real);
  return createHash('sha256').update(`${real}\0${info.size}\0${info.mtimeMs}`).digest('hex').slice(0, 24);
}

async function readIndex(dir: string): Promise<TreeSubsetIndex | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as TreeSubsetIndex;
  } catch {
    return undefined;
  }
}

/** A safe relative path to store under the cache (tarball member names are tree paths). */
function storedPath(dir: string, rel: string): string | undefined {
  const normalized = path.posix.normalize(rel);
  if (normalized.startsWith('../') || path.posix.isAbsolute(normalized)) return undefined;
  return path.join(dir, 'files', ...normalized.split('/'));
}

/** The `want` files, read in the pass that extracts the tarball's Kconfig subset; undefined when that subset was cached. */
async function alongKconfigSubset(
  tarball: string,
  want: ReadonlySet<string>,
  kconfigCacheDir: string,
): Promise<Map<string, Buffer> | undefined> {
  const { extractKconfigSubset } = await import('../sources/kconfig-cache.js');
  const along = { wanted: (p: string) => want.has(p), files: new Map<string, Buffer>(), streamed: false };
  await extractKconfigSubset(path.resolve(tarball), kconfigCacheDir, { along });
  return along.streamed ? along.files : undefined;
}

/**
 * A tree holding the `wanted` files of a tarball, served from the cache when every wanted path is
 * known there (present or absent); otherwise the tarball is streamed once for the missing paths
 * and the cache is extended. `cacheDir` undefined: no cache, stream every time.
 */
export async function openTarballSubset(
  tarball: string,
  wanted: ReadonlySet<string>,
  cacheDir: string | undefined,
  /**
   * kplay's cache folder: when the tarball must be streamed and its Kconfig subset is not cached
   * yet, one pass extracts both (a cold compose decompressed the tarball twice: patches, then Kconfig).
   */
  kconfigCacheDir?: string,
): Promise<{ tree: SourceTree; fromCache: boolean }> {
  if (!cacheDir) {
    return { tree: new TarballSubsetTree(tarball, await readTarballEntries(tarball, (p) => wanted.has(p))), fromCache: false };
  }
  const dir = path.join(cacheDir, await tarballKey(tarball));
  const index = (await readIndex(dir)) ?? { tarball: path.resolve(tarball), present: [], absent: [] };
  const present = new Set(index.present);
  const absent = new Set(index.absent);
  const missing = [...wanted].filter((p) => !present.has(p) && !absent.has(p));
  const files = new Map<string, Buffer>();
  if (missing.length) {
    const want = new Set(missing);
    const fresh =
      (kconfigCacheDir && (await alongKconfigSubset(tarball, want, kconfigCacheDir))) ||
      (await readTarballEntries(tarball, (p) => want.has(p)));
    for (const p of missing) {
      const content = fresh.get(p);
      const target = storedPath(dir, p);
      if (content === undefined || !target) {
        absent.add(p);
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
      present.add(p);
      files.set(p, content);
    }
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `index.json.${process.pid}`);
    await writeFile(tmp, JSON.stringify({ tarball: index.tarball, present: [...present].sort(), absent: [...absent].sort() }));
    await rename(tmp, path.join(dir, 'index.json'));
  }
  for (const p of wanted) {
    if (files.has(p) || !present.has(p)) continue;
    const target = storedPath(dir, p);
    const content = target ? await readFile(target).catch(() => undefined) : undefined;
    // a cache someone pruned by hand: fall back to the tarball
    if (content === undefined) return openTarballSubset(tarball, wanted, undefined);
    files.set(p, content);
  }
  return { tree: new TarballSubsetTree(tarball, files), fromCache: missing.length === 0 };
}
