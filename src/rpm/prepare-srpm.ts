import path from 'node:path';
import { baseKindOf } from '../bases/index.js';
import { composeVariant, type ComposeResult } from '../compose/compose-variant.js';
import { STATE_DIR } from '../compose/write-output.js';
import { UsageError } from '../findings/finding.js';
import type { Targets } from '../model/types.js';
import type { Variant } from '../model/variant.js';
import { buildSrpm } from './build-srpm.js';

export interface PreparedSrpm {
  srpmPath: string;
  variantName: string;
  targets?: Targets;
  /** Where submit state (build and task ids) is kept: survives the next compose. */
  outDir: string;
  compose: ComposeResult;
}

export interface PrepareSrpmOptions {
  out?: string;
  /** Folder holding source tarballs already downloaded (checked against their digests). */
  sourcesDir?: string;
  kernelSource?: string;
  distGit?: string;
}

/** Build time recorded in the SRPM: the newest changelog date, so equal inputs give equal bytes. */
export function sourceDateEpochOf(variant: Variant): number {
  const dates = variant.changelog.map((e) => Date.parse(`${e.date}T00:00:00Z`)).filter((n) => !Number.isNaN(n));
  return dates.length ? Math.max(...dates) / 1000 : 946684800; // 2000-01-01 when there is no changelog
}

/**
 * Compose a variant, put every source its spec names next to it (downloaded and verified, from
 * the cache, or from --sources-dir), and build a reproducible SRPM with rpmbuild -bs.
 */
export async function prepareSrpm(variantPath: string, opts: PrepareSrpmOptions = {}): Promise<PreparedSrpm> {
  const compose = await composeVariant(variantPath, { out: opts.out, kernelSource: opts.kernelSource, distGit: opts.distGit });
  if (!compose.written || !compose.variant || !compose.outDir || !compose.specFile) {
    throw new UsageError(`${variantPath} did not compose`, compose.findings, compose.exitCode === 1 ? 1 : 2);
  }
  const variant = compose.variant;
  const outDir = compose.outDir;
  const sourcesDir = opts.sourcesDir ? path.resolve(opts.sourcesDir) : undefined;
  await baseKindOf(variant).gatherSrpmSources(variant, outDir, sourcesDir);
  const srpmPath = await buildSrpm({ specFile: path.join(outDir, compose.specFile), sourceDir: outDir, outDir, sourceDateEpoch: sourceDateEpochOf(variant) });
  return { srpmPath, variantName: variant.name, targets: variant.targets, outDir: path.join(outDir, STATE_DIR), compose };
}
