import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../findings/finding.js';
import { UsageError } from '../findings/finding.js';
import { DirectorySourceTree, isDirectory, type SourceTree } from '../sources/source-tree.js';
import { defaultSubsetCacheDir, openTarballSubset } from './cached-tree-subset.js';
import { checkSeries, type CheckSeriesOptions, type PatchReport } from './check-series.js';
import { findSeriesOverlaps } from './find-series-overlaps.js';
import { parseSeries, pathsTouchedBySeries } from './parse-series.js';
import type { SeriesPatch } from './patch-types.js';

export interface PatchSeriesCheck {
  findings: Finding[];
  results: PatchReport[];
  /** Final content of every file the series changed; null = deleted. Empty without a source. */
  files: Map<string, Buffer | null>;
  /** Label of the source tree the series was applied to, if any. */
  source?: string;
  /** The tarball's files came from the subset cache (no decompression). */
  fromCache?: boolean;
}

export interface CheckPatchesOptions extends CheckSeriesOptions {
  /** Where tarball subsets are cached; false = stream the tarball every time. Default: defaultSubsetCacheDir(). */
  cacheDir?: string | false;
}

/**
 * Every patch check of a series: parse (unsafe paths, binary changes, corrupt hunks), overlaps
 * between features, and, when a kernel source (extracted folder or tarball) is given, applying
 * the whole series to it. A tarball is streamed once, keeping only the files the series touches.
 */
export async function checkPatchesForSeries(
  series: readonly SeriesPatch[],
  kernelSourcePath?: string | SourceTree,
  options: CheckPatchesOptions = {},
): Promise<PatchSeriesCheck> {
  const { entries, findings } = parseSeries(series);
  findings.push(...findSeriesOverlaps(entries));
  if (kernelSourcePath === undefined) {
    return {
      findings,
      results: entries.map((e) => ({ feature: e.feature, patch: e.file, status: e.patch ? 'applied' : 'invalid', hunks: [] })),
      files: new Map(),
    };
  }
  let tree: SourceTree;
  let fromCache: boolean | undefined;
  if (typeof kernelSourcePath === 'string') {
    if (!existsSync(kernelSourcePath))
      throw new UsageError(`kernel source ${kernelSourcePath} does not exist (give an extracted tree or a tarball)`);
    if (await isDirectory(kernelSourcePath)) {
      tree = new DirectorySourceTree(kernelSourcePath);
    } else {
      const cacheDir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultSubsetCacheDir());
      // with kplay's own cache, the same pass also extracts the Kconfig subset the next stage reads
      const kconfigCacheDir = options.cacheDir === undefined ? path.dirname(defaultSubsetCacheDir()) : undefined;
      ({ tree, fromCache } = await openTarballSubset(kernelSourcePath, pathsTouchedBySeries(entries), cacheDir, kconfigCacheDir));
    }
  } else {
    tree = kernelSourcePath;
  }
  const check = await checkSeries(tree, entries, options);
  const applied = new Set(check.results.filter((r) => r.status === 'applied').map((r) => r.patch));
  const settled = findings.map((f) => (f.code === 'E_PATCH_OVERLAP' && f.where && applied.has(f.where.file) ? overlapThatApplies(f) : f));
  return { findings: [...settled, ...check.findings], results: check.results, files: check.files, source: tree.label, fromCache };
}

/**
 * An overlap whose later patch still applies to the base: it was made on top of the other
 * feature's patch, so the series works in this order, but only in this order.
 */
function overlapThatApplies(f: Finding): Finding {
  return {
    ...f,
    code: 'W_PATCH_OVERLAP',
    severity: 'warning',
    message: `${f.message} (it applies on top of the other patch, so only in this order)`,
    hint: `make feature ${f.feature} require the other feature, so the order is kept and neither is composed without the other`,
  };
}
