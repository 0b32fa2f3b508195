import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Debian's linux-source-6.1 package: the real kernel tree the kernel tier compares with. */
export const LINUX_61_TARBALL = '/usr/src/linux-source-6.1.tar.xz';

export function haveLinux61(): boolean {
  return existsSync(LINUX_61_TARBALL);
}

/**
 * Extract a kernel tarball once per machine into the temp folder and return the tree's path.
 * Extraction goes to a sibling folder and is renamed, so a killed run never leaves half a tree.
 * Tests must not modify the returned tree: copy what they change.
 */
export async function extractedKernelTree(tarball = LINUX_61_TARBALL): Promise<string> {
  const name = path.basename(tarball).replace(/\.tar\.\w+$/, '');
  const root = path.join(os.tmpdir(), 'kplay-test-trees');
  const tree = path.join(root, name);
  if (existsSync(path.join(tree, 'Makefile'))) return tree;
  await mkdir(root, { recursive: true });
  const partial = `${tree}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await execa('tar', ['-xf', tarball, '-C', partial, '--strip-components=1']);
  try {
    await rename(partial, tree);
  } catch {
    // another process won the race; theirs is complete
    await rm(partial, { recursive: true, force: true });
  }
  return tree;
}
