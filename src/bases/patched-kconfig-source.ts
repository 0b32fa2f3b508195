import { createHash } from 'node:crypto';
import { at, finding, UsageError, type Finding } from '../findings/finding.js';
import { loadKconfigTree, type KconfigToolchain, type KconfigTree, type PatchedFiles } from '../kconfig/index.js';
import type { RpmArch } from '../model/arch.js';
import type { PatchReport } from '../patches/check-series.js';
import { isKconfigRelevant } from '../sources/kconfig-cache.js';
import { hunkLine, lastFeature, loadPatchedKconfigTree, patchesChanging } from './patched-kconfig-tree.js';
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
  /**
   * Run `work` (a resolve over a tree of this source); on a patched tree, a JavaScript stack
   * overflow (a Kconfig expression, `if` block or select chain tens of thousands deep, which only
   * a patch can bring) is E_KCONFIG_PARSE naming the patches, not an internal error.
   */
  guard<T>(work: () => T): T;
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack size/i.test(err.message);
}

/** E_KCONFIG_PARSE for a patched tree too deep to parse or resolve, at the last patch that changed a Kconfig file. */
function tooDeep(applied: AppliedSeries, patched: PatchedFiles, distributionSeries: string): UsageError {
  const changes = (rel: string) => patched.files.has(rel);
  const changing = patchesChanging(applied.results, changes);
  const last = changing.at(-1);
  const lineOf = (r: PatchReport) => hunkLine(r, changes);
  const feature = lastFeature(changing, distributionSeries);
  return new UsageError('the Kconfig files as patched nest too deep', [
    finding(
      'E_KCONFIG_PARSE',
      `the Kconfig files as these patches leave them nest too deep for kplay to parse or resolve (an expression, if block or select/depends chain thousands of levels deep): ${[...patched.files.keys()].join(', ')}`,
      {
        ...(last ? { where: at(last.patch, lineOf(last)) } : {}),
        ...(feature ? { feature } : {}),
        related: changing.slice(0, -1).map((r) => ({ message: 'this patch also changes Kconfig files', where: at(r.patch, lineOf(r)) })),
        hint: 'review the Kconfig lines the patch adds; kernel trees nest a few levels deep',
      },
    ),
  ]);
}

/** `--verify-kconfig` on a patched tree: not run (conf would run the macros `whosePatches` add). */
export function patchedTreeNotVerified(whosePatches: string): Finding {
  return finding(
    'W_KCONFIG_NOT_VERIFIED',
    `--verify-kconfig: not run: ${whosePatches} patches change Kconfig files, and the kernel's conf would run the shell commands of their macros`,
    { hint: 'verify against the tree the patches leave, in a sandbox: kplay kconfig resolve --verify --source <patched tree>' },
  );
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
  /** `dummy-tools` for distribution configs (resolved like process_configs.sh); default the host's. */
  toolchain?: KconfigToolchain,
): PatchedKconfigSource {
  const patched = applied && patchedKconfigFiles(applied);
  const withToolchain = toolchain ? { toolchain } : {};
  if (!applied || !patched)
    return { patched: false, treeOf: (arch) => loadKconfigTree({ source: kernelSource, arch, ...withToolchain }), guard: (work) => work() };
  const trees = new Map<RpmArch, Promise<KconfigTree>>();
  const rethrow = (err: unknown): never => {
    throw isStackOverflow(err) ? tooDeep(applied, patched, distributionSeries) : err;
  };
  const guard = <T>(work: () => T): T => {
    try {
      const result = work();
      return (result instanceof Promise ? result.catch(rethrow) : result) as T;
    } catch (err) {
      return rethrow(err);
    }
  };
  return {
    patched: true,
    treeOf: (arch) => {
      let tree = trees.get(arch);
      if (!tree) {
        tree = guard(() =>
          loadPatchedKconfigTree({ kernelSource, patched, arch, patches: applied.results, distributionSeries, ...withToolchain }),
        );
        trees.set(arch, tree);
      }
      return tree;
    },
    guard,
  };
}
