import path from 'node:path';
import { kmodVariant } from '../bases/index.js';
import { composeVariant } from '../compose/compose-variant.js';
import { writeOutputAtomically } from '../compose/write-output.js';
import { findRepositoryRoot } from '../compose/find-root.js';
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
import { withStep } from '../progress/progress.js';

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
  /**
   * Bump even when a check did not run (no tree, no kernel-devel): the changelog entry and the
   * result say which checks were skipped. Without it such a kernel is `unchecked`, never bumped.
   */
  unchecked?: boolean;
  log?: (line: string) => void;
}

export interface KmodTrackResult extends TrackResult {
  /** The modules' folders (for the report). */
  modules: string[];
  /** The spec written for the new kernel (bumped only). */
  spec?: string;
  /** The checks that did not run on the new kernel (`build (no kernel-devel given …)`). */
  skipped?: string[];
  /** Where the per-feature outcome on the current kernel (what `changes` compares with) came from. */
  baseline?: string;
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
  const changelogText = opts.unchecked
    ? `Rebuild for kernel ${newest}; bumped with kplay track --unchecked: not every check may have run (see the track report).`
    : `Rebuild for kernel ${newest} (checked by kplay track: module folders, patches, Kconfig, compile test, kABI).`;
  const result = await withStep(
    `track: checking kernel ${newest}`,
    () =>
      composeVariant(variantPath, {
        kmodKernelVersion: newest,
        kmodChangelogText: changelogText,
        // written below, once the kernel is known to be green (checked, or --unchecked)
        write: false,
        ...(opts.out ? { out: opts.out } : {}),
        ...(opts.root ? { root: opts.root } : {}),
        ...(kernelSource ? { kernelSource } : {}),
        ...(kernelDevel ? { kernelDevel } : {}),
      }),
    (r) => `track: kernel ${newest}: ${r.exitCode === 0 ? 'no errors' : 'breaks'}`,
  );
  const cell = classifyCell(variant.name, newest, result, Math.round(performance.now() - start));
  const outcome = outcomeOf(cell);
  const skipped = cell.skipped ?? [];
  const errorFree = result.exitCode === 0;
  // green means checked: a kernel on which a check did not run is not bumped unless --unchecked says so
  const green = errorFree && (!skipped.length || Boolean(opts.unchecked));
  // what changed per feature since the current kernel: its recorded outcome (the baseline), else
  // the current kernel checked now with the same trees, so a break names what changed
  let baseline: string;
  let previous = state.variants[variant.name]?.results[current];
  if (previous) baseline = `recorded ${previous.checkedAt}`;
  else if (errorFree) baseline = 'none recorded (first run for this kernel)';
  else {
    log(`${variant.name}: no outcome recorded for ${current}: checking it as the baseline`);
    const b = await checkBaseline(variantPath, current, opts);
    previous = b.outcome;
    baseline = b.description;
    if (previous) recordOutcome(state, variant.name, current, previous, [current]);
  }
  const changes = previous ? featureChanges(previous.features, outcome.features) : [];
  let rewritten: string | undefined;
  let written = false;
  if (green && !opts.dryRun) {
    const file = path.resolve(variant.base.versionWhere.file);
    const entry = { date: new Date().toISOString().slice(0, 10), text: changelogText };
    if (result.outDir && result.files) {
      await writeOutputAtomically(result.outDir, result.files, {
        variant: variant.name,
        root: opts.root ? path.resolve(opts.root) : await findRepositoryRoot(variantPath),
        variantFile: variant.file,
      });
      written = true;
    }
    // validated, atomic, through symlinks, mode kept (src/track/rewrite-variant-base.ts)
    await replaceVariantFile(file, (text) => rewriteKmodKernel(text, file, newest, entry));
    rewritten = variant.base.versionWhere.file;
  }
  recordOutcome(state, variant.name, newest, outcome, green && !opts.dryRun ? [newest] : [current, newest]);
  await writeTrackState(opts.statePath, state);
  return {
    ...base,
    outcome: !errorFree ? 'broken' : !green ? 'unchecked' : rewritten ? 'bumped' : 'green-not-written',
    changes,
    findings: result.findings,
    ...(skipped.length ? { skipped } : {}),
    baseline,
    ...(rewritten ? { rewritten } : {}),
    ...(written && result.outDir && result.specFile ? { spec: path.join(result.outDir, result.specFile) } : {}),
  };
}

function outcomeOf(cell: ReturnType<typeof classifyCell>): ReleaseOutcome {
  return {
    status: cell.status,
    checkedAt: new Date().toISOString(),
    features: Object.fromEntries(Object.entries(cell.features).map(([k, v]) => [k, { status: v.status, codes: v.codes }])),
  };
}

/** The variant checked on the kernel it builds today (same trees, `{kernel}` = that kernel), nothing written. */
async function checkBaseline(
  variantPath: string,
  current: string,
  opts: KmodTrackOptions,
): Promise<{ outcome?: ReleaseOutcome; description: string }> {
  const kernelSource = forKernel(opts.kernelSource, current);
  const kernelDevel = forKernel(opts.kernelDevel, current);
  try {
    const result = await withStep(
      `track: checking kernel ${current}`,
      () =>
        composeVariant(variantPath, {
          write: false,
          ...(opts.root ? { root: opts.root } : {}),
          ...(kernelSource ? { kernelSource } : {}),
          ...(kernelDevel ? { kernelDevel } : {}),
        }),
      (r) => `track: kernel ${current}: ${r.exitCode === 0 ? 'no errors' : 'breaks'}`,
    );
    const cell = classifyCell(path.basename(variantPath), current, result, 0);
    return {
      outcome: outcomeOf(cell),
      description: `${current} checked now (${cell.status}${cell.skipped?.length ? `; not checked: ${cell.skipped.join('; ')}` : ''})`,
    };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { description: `none: ${current} could not be checked (${err.message})` };
  }
}
