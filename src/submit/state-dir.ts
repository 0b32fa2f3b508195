import path from 'node:path';
import { STATE_DIR } from '../compose/write-output.js';
import { findRepositoryRoot } from '../compose/find-root.js';
import { UsageError } from '../findings/finding.js';
import { loadVariantOrThrow } from '../load/load-variant.js';

/**
 * Where `kplay submit` recorded its builds: `--state-dir DIR` as given (an `--srpm` submission
 * records next to the SRPM, or in its `--out`), else `<out>/state` of the variant's output folder
 * (`--out`, default `out/<variant>` under the repository root).
 */
export async function submitStateDir(variant: string | undefined, opts: { stateDir?: string; out?: string }): Promise<string> {
  if (opts.stateDir) return path.resolve(opts.stateDir);
  if (!variant) throw new UsageError('name the variant (e.g. variants/playground.yml) or the folder holding the records: --state-dir DIR');
  if (opts.out) return path.join(path.resolve(opts.out), STATE_DIR);
  const { variant: v } = await loadVariantOrThrow(variant);
  const root = await findRepositoryRoot(variant);
  return path.join(root, 'out', v.name, STATE_DIR);
}
