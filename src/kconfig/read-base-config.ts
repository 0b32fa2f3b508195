import { readFile } from 'node:fs/promises';
import { UsageError } from '../findings/finding.js';
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
    const texts = files.map((f) => {
      const text = tree.readSource(f);
      if (text === undefined) {
        throw new UsageError(
          `${tree.label}: this kernel tree has no ${f} for the base config target ${base}; name a target it has (arch/${tree.srcarch}/configs/) or a config file`,
        );
      }
      return text;
    });
    return { text: texts.join('\n'), file: files[0]! };
  }
  return { text: await readFile(base, 'latin1'), file: base };
}
