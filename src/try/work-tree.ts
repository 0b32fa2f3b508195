import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, realpath, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import { displayPath } from '../model/safe-path.js';

/**
 * The patched kernel tree `kplay try` builds: a pristine extraction of the kernel source (kept in
 * kplay's cache, made once per tarball), linked file by file into a work folder, with every file
 * the features' series changed written over its link (never through it: the cache stays pristine).
 * The build writes only its own output folder (`make O=`), so the tree itself is read-only in the
 * sandbox.
 */
export interface WorkTree {
  /** The patched tree (read-only during the build). */
  src: string;
  /** `make O=` folder inside it: `srctree` is then `..` and paths in compiler lines are relative. */
  out: string;
  /** Seconds the pristine extraction took (0 when it came from the cache). */
  extractSeconds: number;
  /** Seconds linking and patching took. */
  prepareSeconds: number;
}

/** The build output folder's name inside the tree. */
export const OUT_DIR = '.kplay-build';

/** The cache folder of one kernel source: keyed by its path, size and change time (no read of 150 MB). */
async function pristineKey(source: string): Promise<string> {
  const st = await stat(source);
  return createHash('sha256')
    .update(`${path.resolve(source)}\0${st.size}\0${st.mtimeMs}\0${st.isDirectory() ? 'dir' : 'file'}`)
    .digest('hex')
    .slice(0, 24);
}

/** The kernel source as a pristine folder: a tarball is extracted once into the cache; returns the folder and the seconds it took. */
async function pristineTree(source: string, cacheDir: string): Promise<{ dir: string; seconds: number }> {
  // a folder is linked from directly: nothing is ever written through a link (see prepareWorkTree)
  if ((await stat(source)).isDirectory()) {
    if (!(await pathExists(path.join(source, 'Makefile'))))
      throw new UsageError(`${displayPath(source)} is not a kernel source: it has no top-level Makefile`);
    return { dir: source, seconds: 0 };
  }
  const dir = path.join(cacheDir, 'try', 'sources', await pristineKey(source));
  if (await pathExists(path.join(dir, 'Makefile'))) return { dir, seconds: 0 };
  const started = Date.now();
  const tmp = `${dir}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    // one top folder (linux-6.12.118/, linux-source-6.12/): dropped; tar refuses absolute and ../ names
    await execa('tar', ['-xf', source, '-C', tmp, '--strip-components=1', '--no-same-owner', '--no-same-permissions']);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    const e = err as { stderr?: string; shortMessage?: string };
    throw new UsageError(`cannot extract ${displayPath(source)}: ${(e.stderr || e.shortMessage || String(err)).split('\n')[0]}`);
  }
  if (!(await pathExists(path.join(tmp, 'Makefile')))) {
    await rm(tmp, { recursive: true, force: true });
    throw new UsageError(
      `${displayPath(source)} is not a kernel source: it has no top-level Makefile (give the tree or its release tarball)`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return { dir, seconds: (Date.now() - started) / 1000 };
}

/**
 * Make the work tree at `workDir`/src: links to the pristine files, and the series' result
 * (`files`: final bytes of every changed file, null = deleted) written as new files.
 */
export async function prepareWorkTree(
  source: string,
  files: ReadonlyMap<string, Buffer | null>,
  workDir: string,
  cacheDir: string,
): Promise<WorkTree> {
  const pristine = await pristineTree(source, cacheDir);
  const started = Date.now();
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const src = path.join(await realpath(workDir), 'src');
  try {
    await execa('cp', ['-al', pristine.dir, src]);
  } catch {
    // another file system: a real copy
    await execa('cp', ['-a', pristine.dir, src]);
  }
  for (const [rel, bytes] of files) {
    const abs = path.join(src, rel);
    if (!abs.startsWith(`${src}${path.sep}`)) throw new Error(`patched file ${rel} outside the tree`);
    await unlink(abs).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    if (bytes === null) continue;
    await mkdir(path.dirname(abs), { recursive: true });
    // a folder of the tree that is a link (from the tarball) must not carry the write outside
    const parent = await realpath(path.dirname(abs));
    if (parent !== src && !parent.startsWith(`${src}${path.sep}`))
      throw new UsageError(
        `${rel}: a folder on its path is a link out of the kernel tree ${displayPath(source)}; kplay try does not write through it`,
      );
    await writeFile(abs, bytes, { flag: 'wx' });
  }
  const out = path.join(src, OUT_DIR);
  await mkdir(out);
  return { src, out, extractSeconds: pristine.seconds, prepareSeconds: (Date.now() - started) / 1000 };
}
