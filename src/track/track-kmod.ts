import path from 'node:path';
import { kmodVariant } from '../bases/index.js';
import { composeVariant } from '../compose/compose-variant.js';
import { UsageError } from '../findings/finding.js';
import { classifyCell } from '../matrix/classify-cell.js';
import { loadVariant } from '../load/load-variant.js';
import { isKernelVersionRelease, newestKernelLike, type DistributionKernelSource } from '../releases/distribution-kernels.js';
import { compareVersionRelease } from '../releases/rpm-version-compare.js';
import { featureChanges } from './feature-changes.js';
import { rewriteKmodKernel } from './rewrite-kmod-kernel.js';
import { replaceVariantFile } from './rewrite-variant-base.js';
import { readTrackState, recordOutcome, writeTrackState, type ReleaseOutcome } from './track-state.js';
import type { TrackResult } from './track-variant.js';

export interface KmodTrackOptions {
  /** Where the distribution's kernels are listed (repository metadata, Koji tag). */
  source: DistributionKernelSource;
  statePath: string;
  root?: string;
  /** Check and report, but leave the variant file as it is and write no output. */
  dryRun?: boolean;
  /** The new kernel's source tree or tarball; `{kernel}` is replaced by its version-release. */
  kernelSource?: string;
  /** The new kernel's kernel-devel tree or RPM; `{kernel}` is replaced by its version-release. */
  kernelDevel?: string;
  /** Output folder of the rebuilt package (default out/<variant>). */
  out?: string;
  log?: (line: string) => void;
}

export interface KmodTrackResult extends TrackResult {
  /** The modules' folders (for the report). */
  modules: string[];
  /** The spec written for the new kernel (bumped only). */
  spec?: string;
}

const forKernel = (template: string | undefined, kernel: string) => template?.split('{kernel}').join(kernel);

/**
 * One tracking step for a kmod variant: list the distribution's kernels; when one newer than
 * kmod.kernel-version (same upstream version and dist) appears, compose and check the package for
 * it (module folders, patches, Kconfig, compile test and kABI with the given trees); when nothing
 * is an error, rewrite kmod.kernel-version (comments kept) and write the package rebuilt for the
 * new kernel (its Release follows the kernel), else report the break and leave the variant.
 */
export async function trackKmodVariant(variantPath: string, opts: KmodTrackOptions): Promise<KmodTrackResult> {
  const log = opts.log ?? (() => undefined);
  const loaded = await loadVariant(variantPath);
  if (!loaded.variant) throw new UsageError(`cannot load ${variantPath}`, loaded.findings);
  const variant = kmodVariant(loaded.variant);
  if (!variant)
    throw new UsageError(
      `${variantPath}: --repo and --koji follow distribution kernels for kmod variants; this variant builds on a ${loaded.variant.base.kind} base`,
    );
  const current = variant.base.kernelVersion;
  const kernels = await opts.source.kernels();
  // the sources drop version-releases that are not one (570.el9/../../x) before anything uses them
  for (const bad of opts.source.refused ?? [])
    log(`${variant.name}: ${opts.source.label} lists ${JSON.stringify(bad)}, which is not a kernel version-release: left out`);
  // and again here, so no source can hand one on
  if (kernels.some((k) => !isKernelVersionRelease(k.versionRelease)))
    throw new Error('internal: a kernel source returned an invalid version-release');
  const newest = newestKernelLike(kernels, current, compareVersionRelease);
  const modules = Object.values(variant.base.modules).flatMap((m) => m.dirs);
  const base: Omit<KmodTrackResult, 'outcome'> = {
    variant: variant.name,
    variantFile: variant.base.versionWhere.file,
    follow: opts.source.label,
    current,
    release: newest ?? current,
    changes: [],
    findings: [],
    modules,
  };
  const state = await readTrackState(opts.statePath);

  if (!newest || compareVersionRelease(newest, current) <= 0) {
    log(`${variant.name}: ${opts.source.label} has no kernel newer than ${current}${newest ? ` (newest ${newest})` : ''}: nothing to do`);
    return { ...base, outcome: 'up-to-date' };
  }
  log(`${variant.name}: ${opts.source.label} has kernel ${newest} (the package builds ${current}): checking the package for it`);
  const start = performance.now();
  const kernelSource = forKernel(opts.kernelSource, newest);
  const kernelDevel = forKernel(opts.kernelDevel, newest);
  const result = await composeVariant(variantPath, {
    kmodKernelVersion: newest,
    write: !opts.dryRun,
    ...(opts.out ? { out: opts.out } : {}),
    ...(opts.root ? { root: opts.root } : {}),
    ...(kernelSource ? { kernelSource } : {}),
    ...(kernelDevel ? { kernelDevel } : {}),
  });
  const cell = classifyCell(variant.name, newest, result, Math.round(performance.now() - start));
  const outcome: ReleaseOutcome = {
    status: cell.status,
    checkedAt: new Date().toISOString(),
    features: Object.fromEntries(Object.entries(cell.features).map(([k, v]) => [k, { status: v.status, codes: v.codes }])),
  };
  // what changed per feature since the current kernel, when its outcome was recorded by an earlier run
  const previous = state.variants[variant.name]?.results[current];
  const changes = previous ? featureChanges(previous.features, outcome.features) : [];
  const green = result.exitCode === 0;
  let rewritten: string | undefined;
  if (green && !opts.dryRun) {
    const file = path.resolve(variant.base.versionWhere.file);
    // validated, atomic, through symlinks, mode kept (src/track/rewrite-variant-base.ts)
    await replaceVariantFile(file, (text) => rewriteKmodKernel(text, file, newest));
    rewritten = variant.base.versionWhere.file;
  }
  recordOutcome(state, variant.name, newest, outcome, green && !opts.dryRun ? [newest] : [current, newest]);
  await writeTrackState(opts.statePath, state);
  return {
    ...base,
    outcome: green ? (rewritten ? 'bumped' : 'green-not-written') : 'broken',
    changes,
    findings: result.findings,
    ...(rewritten ? { rewritten } : {}),
    ...(result.written && result.outDir && result.specFile ? { spec: path.join(result.outDir, result.specFile) } : {}),
  };
}
