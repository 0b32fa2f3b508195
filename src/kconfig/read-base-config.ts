import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RpmArch } from '../model/arch.js';
import { defconfigFiles, isDefconfigTarget } from './defconfig-path.js';
import type { KconfigTree } from './kconfig-tree.js';

/**
 * The text of a base config: a file path, or a make target (`defconfig`, `x86_64_defconfig`)
 * read from the tree's arch/<srcarch>/configs (several files are concatenated in order).
 * Returns the text and the path to report locations against.
 */
export async function readBaseConfig(tree: KconfigTree, base: string, arch: RpmArch): Promise<{ text: string; file: string }> {
  if (isDefconfigTarget(base) && !base.includes('/')) {
    const files = defconfigFiles(arch, base);
    const texts = await Promise.all(files.map((f) => readFile(path.join(tree.root, f), 'latin1')));
    return { text: texts.join('\n'), file: files[0]! };
  }
  return { text: await readFile(base, 'latin1'), file: base };
}
