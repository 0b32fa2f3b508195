import { execa } from 'execa';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { testCacheDir } from './paths.js';

/** Debian's linux-source-6.1 package: the real kernel tree the kernel tier compares with. */
export const LINUX_61_TARBALL = '/usr/src/linux-source-6.1.tar.xz';
/** Debian's linux-source-6.12 package. */
export const LINUX_612_TARBALL = '/usr/src/linux-source-6.12.tar.xz';
/** Debian's linux-config-6.1 package: the distribution's x86_64 config. */
export const DEBIAN_61_CONFIG = '/usr/src/linux-config-6.1/config.amd64_none_amd64.xz';
/** Debian's linux-config-6.12 package. */
export const DEBIAN_612_CONFIG = '/usr/src/linux-config-6.12/config.amd64_none_amd64.xz';

/** The Debian package that provides each of the files above. */
const PACKAGE_OF: Record<string, string> = {
  [LINUX_61_TARBALL]: 'linux-source-6.1',
  [LINUX_612_TARBALL]: 'linux-source-6.12',
  [DEBIAN_61_CONFIG]: 'linux-config-6.1',
  [DEBIAN_612_CONFIG]: 'linux-config-6.12',
};

/**
 * Fail (never skip) when a system file a test needs is missing, naming the Debian package that
 * provides it. `npm test` installs these first (scripts/test-requirements.mjs).
 */
export function requireSystemFile(file: string, debianPackage = PACKAGE_OF[file]): string {
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: install the Debian package ${debianPackage ?? '(see scripts/test-requirements.mjs)'} (npm test installs it when it can)`,
    );
  }
  return file;
}

/**
 * A kplay cache (KPLAY_CACHE_DIR) kept across runs for the kernel tier: the Kconfig subsets of the
 * Debian tarballs and their parsed trees. kplay keys its entries by content (tarball digest, engine
 * code), so a change to the engine is tested cold; an unchanged one is not parsed again.
 */
export const KERNEL_TIER_KPLAY_CACHE = path.join(testCacheDir(), 'kplay-cache');

/** Where extracted trees are kept: `<test cache>/trees` (see testCacheDir). */
export function kernelTreeCacheDir(): string {
  return path.join(testCacheDir(), 'trees');
}

/** What identifies a tarball's contents well enough to trust a tree extracted from it. */
function tarballStamp(tarball: string): string {
  const st = statSync(tarball);
  return `${tarball} size=${st.size} mtime=${Math.floor(st.mtimeMs)}\n`;
}

const STAMP = '.kplay-extracted';

function isCurrent(tree: string, stamp: string): boolean {
  try {
    return readFileSync(path.join(tree, STAMP), 'utf8') === stamp;
  } catch {
    return false;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take `<tree>.lock` (a folder: mkdir is atomic), waiting while a live process holds it and
 * breaking it when its holder died. Returns the release function.
 */
async function lock(lockDir: string, timeoutMs = 30 * 60_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''));
    // no pid yet: the holder is between mkdir and writeFile; give it a moment before judging
    if (holder > 0 && !processIsAlive(holder)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir} (held by pid ${holder || '?'})`);
    await sleep(500);
  }
}

/**
 * Extract a kernel tarball once per machine into the persistent test cache and return the tree's
 * path (e.g. ~/.cache/kplay-test/trees/linux-source-6.1). Safe to call from several processes
 * at once (a lock folder; the tree is extracted beside and renamed, so a killed run never leaves
 * half a tree), and re-extracted when the tarball changes (a package upgrade).
 * Tests must not modify the returned tree: copy what they change.
 */
export async function extractedKernelTree(tarball = LINUX_61_TARBALL): Promise<string> {
  requireSystemFile(tarball);
  const name = path.basename(tarball).replace(/\.tar\.\w+$/, '');
  const root = kernelTreeCacheDir();
  const tree = path.join(root, name);
  const stamp = tarballStamp(tarball);
  if (isCurrent(tree, stamp)) return tree;
  await mkdir(root, { recursive: true });
  const release = await lock(`${tree}.lock`);
  try {
    if (isCurrent(tree, stamp)) return tree; // another process extracted it while we waited
    const partial = `${tree}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await execa('tar', ['-xf', tarball, '-C', partial, '--strip-components=1']);
    await writeFile(path.join(partial, STAMP), stamp);
    if (existsSync(tree)) {
      const old = `${tree}.old-${process.pid}`;
      await rename(tree, old);
      await rm(old, { recursive: true, force: true });
    }
    await rename(partial, tree);
    // partial folders of killed runs
    for (const n of await readdir(root)) {
      const m = /^(.*)\.(?:partial|old)-(\d+)$/.exec(n);
      if (m?.[1] === name && !processIsAlive(Number(m[2]))) await rm(path.join(root, n), { recursive: true, force: true });
    }
    return tree;
  } finally {
    await release();
  }
}
