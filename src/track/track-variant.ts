import path from 'node:path';
import { kernelOrgVariant, kmodVariant } from '../bases/index.js';
import { composeVariant, type ComposeResult } from '../compose/compose-variant.js';
import { UsageError, type Finding } from '../findings/finding.js';
import { classifyCell } from '../matrix/classify-cell.js';
import type { MatrixCell } from '../matrix/matrix-report.js';
import { loadVariant } from '../load/load-variant.js';
import type { VanillaVariant } from '../model/variant.js';
import { compareReleases, seriesOf } from '../releases/release-list.js';
import type { KernelOrg, ResolvedBase } from '../releases/resolve-base.js';
import { featureChanges, type FeatureChange } from './feature-changes.js';
import { replaceVariantBase } from './rewrite-variant-base.js';
import { readTrackState, recordOutcome, writeTrackState, type ReleaseOutcome } from './track-state.js';
import { withStep } from '../progress/progress.js';

export interface TrackOptions {
  kernelOrg: KernelOrg;
  /** Which release to follow: latest-stable, longterm, mainline, 6.12.x; default the variant's series (6.1.x). */
  follow?: string;
  /** State file remembering the last release seen per variant. */
  statePath: string;
  root?: string;
  /** Check and report, but leave the variant file as it is. */
  dryRun?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** `unchecked`: no error, but a check did not run (no kernel-devel, …): not bumped without --unchecked. */
export type TrackOutcome = 'up-to-date' | 'bumped' | 'broken' | 'green-not-written' | 'unchecked';

export interface TrackResult {
  outcome: TrackOutcome;
  variant: string;
  variantFile: string;
  follow: string;
  current: string;
  release: string;
  /** What changed per feature from the current base to the new release. */
  changes: FeatureChange[];
  /** Findings on the new release. */
  findings: Finding[];
  /** The file rewritten (bumped only). */
  rewritten?: string;
  newSource?: { url: string; sha256?: string };
}

function outcomeOf(cell: MatrixCell): ReleaseOutcome {
  return {
    status: cell.status,
    checkedAt: new Date().toISOString(),
    features: Object.fromEntries(Object.entries(cell.features).map(([k, v]) => [k, { status: v.status, codes: v.codes }])),
  };
}

async function composeOn(variantPath: string, base: ResolvedBase, root: string | undefined): Promise<ComposeResult> {
  return withStep(
    `track: checking on Linux ${base.version}`,
    () =>
      composeVariant(variantPath, {
        write: false,
        kernelSource: base.kernelSource,
        baseOverride: { version: base.version, source: base.source },
        ...(root ? { root } : {}),
      }),
    (r) => `track: Linux ${base.version}: ${r.exitCode === 0 ? 'no errors' : 'breaks'}`,
  );
}

/**
 * One tracking step for a vanilla variant: ask kernel.org for the release it follows; when that is
 * newer than the variant's base, compose and fully check the variant on it, report what changed
 * per feature since the current base, and rewrite the variant's base (comments kept) only when
 * nothing is an error. The state file remembers the last release seen and each outcome.
 */
export async function trackVariant(variantPath: string, opts: TrackOptions): Promise<TrackResult> {
  const log = opts.log ?? (() => undefined);
  const loaded = await loadVariant(variantPath);
  if (!loaded.variant) throw new UsageError(`cannot load ${variantPath}`, loaded.findings);
  const vanilla = kernelOrgVariant(loaded.variant);
  if (!vanilla)
    throw new UsageError(
      `${variantPath}: kplay track follows kernel.org releases, but this variant builds on a ${loaded.variant.base.kind} base${kmodVariant(loaded.variant) ? ": follow its distribution's kernels with --repo <repository URL> or --koji <hub> --koji-tag <tag>" : ''}`,
    );
  const variant: VanillaVariant = vanilla;
  const current = variant.base.version;
  const follow = opts.follow ?? `${seriesOf(current)}.x`;
  const { version: release } = await opts.kernelOrg.select(follow);
  const state = await readTrackState(opts.statePath);
  const base: Omit<TrackResult, 'outcome'> = {
    variant: variant.name,
    variantFile: variant.base.versionWhere.file,
    follow,
    current,
    release,
    changes: [],
    findings: [],
  };

  if (compareReleases(release, current) <= 0) {
    log(`${variant.name}: ${follow} is ${release}; the variant already builds ${current}: nothing to do`);
    const v = state.variants[variant.name];
    if (!v || compareReleases(v.lastSeen, release) < 0) {
      state.variants[variant.name] = { lastSeen: release, results: v?.results ?? {} };
      await writeTrackState(opts.statePath, state);
    }
    return { ...base, outcome: 'up-to-date' };
  }

  // the previous base's per-feature outcome: remembered, else composed now
  let previous = state.variants[variant.name]?.results[current];
  if (!previous) {
    try {
      log(`${variant.name}: checking the current base ${current} for comparison`);
      const cur = await opts.kernelOrg.release(current);
      const result = await composeOn(variantPath, cur, opts.root);
      previous = outcomeOf(classifyCell(variant.name, current, result, 0));
      recordOutcome(state, variant.name, current, previous, [current]);
    } catch (err) {
      log(`${variant.name}: cannot check the current base ${current} (${(err as Error).message}); changes are shown against nothing`);
    }
  }

  log(`${variant.name}: ${follow} is now ${release} (the variant builds ${current}): composing and checking`);
  const next = await opts.kernelOrg.release(release);
  const start = performance.now();
  const result = await composeOn(variantPath, next, opts.root);
  const cell = classifyCell(variant.name, release, result, Math.round(performance.now() - start));
  const outcome = outcomeOf(cell);
  const changes = featureChanges(previous?.features, outcome.features);
  const green = result.exitCode === 0;
  let rewritten: string | undefined;
  if (green && !opts.dryRun) {
    const file = path.resolve(variant.base.versionWhere.file);
    await replaceVariantBase(file, { version: release, url: next.source.url, sha256: next.source.sha256! });
    rewritten = variant.base.versionWhere.file;
  }
  recordOutcome(state, variant.name, release, outcome, green && !opts.dryRun ? [release] : [current, release]);
  await writeTrackState(opts.statePath, state);
  return {
    ...base,
    outcome: green ? (rewritten ? 'bumped' : 'green-not-written') : 'broken',
    changes,
    findings: result.findings,
    ...(rewritten ? { rewritten } : {}),
    newSource: next.source,
  };
}
