import type { Finding } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';
import { checkPatchesForSeries } from '../patches/check-patches-for-series.js';
import { parseSeries, pathsTouchedBySeries } from '../patches/parse-series.js';
import { isKconfigRelevant } from '../sources/kconfig-cache.js';
import type { SeriesPatch } from '../patches/patch-types.js';
import type { ResolvedFeatures } from '../resolve/resolve-features.js';
import { withStep } from '../progress/progress.js';
import type { AppliedSeries } from '../bases/patched-kconfig-source.js';

/** The resolved series: every feature's patches, features in resolved order. */
export function seriesOf(resolved: ResolvedFeatures): SeriesPatch[] {
  return resolved.order.flatMap((r) => r.feature.patches.map((p) => ({ feature: r.feature.name, file: p.display, text: p.text })));
}

/** Whether the resolved features' patches change any file the Kconfig engine reads. */
export function seriesChangesKconfig(resolved: ResolvedFeatures): boolean {
  const series = seriesOf(resolved);
  if (series.length === 0) return false;
  return [...pathsTouchedBySeries(parseSeries(series).entries)].some(isKconfigRelevant);
}

/**
 * The patch stage of compose: always parse the series (unsafe paths, binary and corrupt patches)
 * and look for overlaps between features; with a kernel source, apply the whole series to it
 * (`applied`: what the series leaves, for the Kconfig engine).
 */
export async function checkFeaturePatches(
  resolved: ResolvedFeatures,
  kernelSource?: string,
): Promise<{ findings: Finding[]; check: string; applied?: AppliedSeries }> {
  const series = seriesOf(resolved);
  if (series.length === 0) return { findings: [], check: 'no patches' };
  const r = await withStep(
    kernelSource ? `patches: applying ${series.length} to ${displayPath(kernelSource)}` : `patches: parsing ${series.length}`,
    () => checkPatchesForSeries(series, kernelSource),
  );
  const applied = r.results.filter((x) => x.status === 'applied').length;
  const check = kernelSource
    ? `${applied}/${series.length} patch(es) apply to ${displayPath(kernelSource)}${r.fromCache ? ' (files from the subset cache)' : ''}`
    : `parsed ${series.length} patch(es) and compared their line ranges; not applied: no kernel source given (pass --kernel-source <tree-or-tarball>)`;
  return { findings: r.findings, check, ...(kernelSource ? { applied: r } : {}) };
}
