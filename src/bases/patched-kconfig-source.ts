import { createHash } from 'node:crypto';
import { loadKconfigTree, type KconfigTree, type PatchedFiles } from '../kconfig/index.js';
import type { RpmArch } from '../model/arch.js';
import type { PatchReport } from '../patches/check-series.js';
import { isKconfigRelevant } from '../sources/kconfig-cache.js';
import { loadPatchedKconfigTree } from './patched-kconfig-tree.js';
import { codePointOrder } from '../model/code-point-order.js';

/** What applying a patch series to the kernel source gave (checkPatchesForSeries). */
export interface AppliedSeries {
  results: readonly PatchReport[];
  /** Final content of every file the series changed; null = deleted. */
  files: ReadonlyMap<string, Buffer | null>;
}

/**
 * The Kconfig trees of a kernel source as a patch series leaves it. When the series changes no
 * Kconfig file, the source's own trees; otherwise the source with the changed Kconfig files
 * (Kconfig*, defconfigs, the Makefile, scripts/kconfig) read from the series' result, parsed
 * without running any macro command the unpatched source does not run (patched-kconfig-tree.ts).
 */
export interface PatchedKconfigSource {
  /** Whether the series changes Kconfig files (the trees are then the patched ones). */
  readonly patched: boolean;
  treeOf(arch: RpmArch): Promise<KconfigTree>;
}

/** The Kconfig-relevant files of a series' result, named by a digest of their paths and bytes. */
export function patchedKconfigFiles(applied: AppliedSeries): PatchedFiles | undefined {
  const changed = [...applied.files.entries()].filter(([rel]) => isKconfigRelevant(rel)).sort(([a], [b]) => codePointOrder(a, b));
  if (!changed.length) return undefined;
  const h = createHash('sha256');
  for (const [rel, bytes] of changed) {
    h.update(`${rel}\0${bytes === null ? 'deleted' : bytes.length}\0`);
    if (bytes) h.update(bytes);
  }
  return { files: new Map(changed), digest: h.digest('hex') };
}

export function patchedKconfigSource(
  kernelSource: string,
  applied: AppliedSeries | undefined,
  /** The `feature` the distribution's own patches carry in `applied.results`, if any. */
  distributionSeries = 'distribution',
): PatchedKconfigSource {
  const patched = applied && patchedKconfigFiles(applied);
  if (!applied || !patched) return { patched: false, treeOf: (arch) => loadKconfigTree({ source: kernelSource, arch }) };
  const trees = new Map<RpmArch, Promise<KconfigTree>>();
  return {
    patched: true,
    treeOf: (arch) => {
      let tree = trees.get(arch);
      if (!tree) {
        tree = loadPatchedKconfigTree({ kernelSource, patched, arch, patches: applied.results, distributionSeries });
        trees.set(arch, tree);
      }
      return tree;
    },
  };
}
