import { checkFeaturePatches } from '../compose/check-feature-patches.js';
import { mergeConfig, type MergedConfig } from '../config/merge-config.js';
import { exitCodeForFindings } from '../findings/exit-code.js';
import type { Finding } from '../findings/finding.js';
import type { Variant } from '../model/variant.js';
import { resolveFeatures, type ResolvedFeatures } from '../resolve/resolve-features.js';
import type { AppliedSeries } from './patched-kconfig-source.js';

/** The one gate of compose: a stage whose input is unusable (any exit-2 finding) stops there. */
export function inputUnusable(findings: readonly Finding[]): boolean {
  return exitCodeForFindings(findings) === 2;
}

export interface FeatureStages {
  resolved: ResolvedFeatures;
  /** Per arch of the variant; absent when a stage stopped before merging. */
  merged?: MergedConfig[];
  /** The stage that found the input unusable, if any. */
  stoppedAt?: 'resolve' | 'check';
  /** With a kernel source: the features' series as applied to it. */
  applied?: AppliedSeries;
}

export interface FeatureStageOptions {
  /** Apply the series to this kernel tree (folder or tarball); otherwise only parse and compare it. */
  kernelSource?: string;
  /** What the patch check did, in words for the manifest (a base kind may reword it). */
  describePatchCheck?: (check: string) => string;
  /** Checks of the base kind that need the resolved features, run before the merge. */
  beforeMerge?: (resolved: ResolvedFeatures) => void;
}

/**
 * The stages every base kind shares: resolve the features (requires, conflicts, kernel ranges),
 * check their patches, and merge the config requests per arch. Findings go into `findings`, what
 * the patch check did into `checks.patches`; the sequence stops at the first unusable stage.
 */
export async function resolveCheckMerge(
  variant: Variant,
  root: string,
  findings: Finding[],
  checks: Record<string, string>,
  opts: FeatureStageOptions = {},
): Promise<FeatureStages> {
  const { resolved, findings: resolveFindings } = await resolveFeatures(variant, root);
  findings.push(...resolveFindings);
  if (inputUnusable(findings)) return { resolved, stoppedAt: 'resolve' };
  const patchCheck = await checkFeaturePatches(resolved, opts.kernelSource);
  findings.push(...patchCheck.findings);
  checks.patches = opts.describePatchCheck ? opts.describePatchCheck(patchCheck.check) : patchCheck.check;
  const applied = patchCheck.applied ? { applied: patchCheck.applied } : {};
  if (inputUnusable(findings)) return { resolved, stoppedAt: 'check', ...applied };
  opts.beforeMerge?.(resolved);
  const merged: MergedConfig[] = [];
  for (const arch of variant.arches.list) {
    const m = mergeConfig(variant, resolved, arch);
    findings.push(...m.findings);
    merged.push(m.merged);
  }
  return { resolved, merged, ...applied };
}
