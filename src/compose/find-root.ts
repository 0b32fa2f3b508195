import path from 'node:path';
import { isDirectory } from '../fs/path-kind.js';

/**
 * The repository root of a variant: the nearest folder at or above the variant's that holds
 * `features/`; else the parent of a `variants/` folder; else the variant's own folder.
 */
export async function findRepositoryRoot(variantFile: string): Promise<string> {
  const start = path.dirname(path.resolve(variantFile));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (await isDirectory(path.join(dir, 'features'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return path.basename(start) === 'variants' ? path.dirname(start) : start;
}
