import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { baseKindOf } from '../bases/index.js';
import type { ComposeOptions } from '../bases/base-kind.js';
import { composeVariant, type ComposeResult } from '../compose/compose-variant.js';
import { recordOutputFiles } from '../compose/output-marker.js';
import { STATE_DIR } from '../compose/write-output.js';
import { UsageError, type Finding } from '../findings/finding.js';
import { loadVariant } from '../load/load-variant.js';
import type { Targets } from '../model/types.js';
import type { Variant } from '../model/variant.js';
import { buildSrpm } from './build-srpm.js';
import { isTrustedKernelOrigin, type CollectedSource } from './srpm-sources.js';

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
  /**
   * Skip the Kconfig and patch checks that otherwise run against the kernel source the SRPM
   * carries (the base tarball). Said loudly: W_SRPM_UNCHECKED.
   */
  noCheck?: boolean;
  /**
   * Run the spec's own %prep (rpmbuild -bp --nodeps, sandboxed, per arch) before building the
   * SRPM (default true). false: W_PREP_CHECK_SKIPPED. The %setup folder check always runs.
   */
  prepCheck?: boolean;
  /**
   * Compose on another release than the variant's (a `kplay matrix --submit` cell): the base
   * override of a kernel.org column, or a distribution column's kernel; the SRPM then carries
   * that release's sources.
   */
  on?: Pick<ComposeOptions, 'baseOverride' | 'kmodKernelVersion' | 'kernelDevel' | 'root'>;
  /** Called with each arch's BUILD folder after its %prep passed (the proof tests read the final configs). */
  inspectPrep?: (arch: string, buildDir: string) => Promise<void>;
}

function unchecked(why: string, variantPath: string): Finding {
  return {
    code: 'W_SRPM_UNCHECKED',
    severity: 'warning',
    message: `the Kconfig and patch checks did not run (${why}): the SRPM may not build, or not build what the variant asks`,
    where: { file: variantPath, line: 0, col: 0 },
  };
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
  const sourcesDir = opts.sourcesDir ? path.resolve(opts.sourcesDir) : undefined;
  const uncheckedNotes: Finding[] = [];
  // the SRPM carries the base tarball: fetch (or find) it first, and check the variant against it
  let kernelSource = opts.kernelSource;
  let collected: CollectedSource[] | undefined;
  const loaded = await loadVariant(variantPath);
  const override = opts.on?.baseOverride;
  const early = loaded.variant && override ? baseKindOf(loaded.variant).withRelease(loaded.variant, override) : loaded.variant;
  if (early) {
    collected = await baseKindOf(early).collectSrpmSources(early, sourcesDir);
    const base = collected?.find((s) => s.base);
    if (!opts.noCheck && !kernelSource && base) {
      if (isTrustedKernelOrigin(base.origin) || baseKindOf(early).srpmChecksOnlyRead) kernelSource = base.from;
      else {
        uncheckedNotes.push(
          unchecked(
            `the base tarball ${base.file} was not downloaded from a kernel.org release folder (it came from ${base.origin || 'an unrecorded source'}), and kplay does not run the Kconfig macros (shell commands) of a tarball a variant names; pass --kernel-source with a copy you trust`,
            variantPath,
          ),
        );
      }
    }
  }
  if (opts.noCheck) {
    kernelSource = undefined;
    uncheckedNotes.push(unchecked('--no-check was given', variantPath));
  }
  const compose = await composeVariant(variantPath, { out: opts.out, kernelSource, distGit: opts.distGit, ...opts.on });
  if (!compose.written || !compose.variant || !compose.outDir || !compose.specFile) {
    throw new UsageError(`${variantPath} did not compose`, compose.findings, compose.exitCode === 1 ? 1 : 2);
  }
  const variant = compose.variant;
  const outDir = compose.outDir;
  const placed = await baseKindOf(variant).placeSrpmSources(variant, outDir, sourcesDir, collected);
  if (!collected && !opts.noCheck && !kernelSource) {
    // the kernel tarball arrived with the sources (a distribution's lookaside): check against it now
    const tarball = placed.tarball;
    if (tarball && !placed.tarballTrusted) {
      uncheckedNotes.push(
        unchecked(
          `${path.basename(tarball)} was not downloaded from the distribution's lookaside cache (it came with the package folder or --sources-dir), and kplay does not run the Kconfig macros (shell commands) of a tarball a variant supplies; pass --kernel-source with a copy you trust`,
          variantPath,
        ),
      );
    } else if (tarball) {
      const checked = await composeVariant(variantPath, {
        out: opts.out,
        kernelSource: tarball,
        distGit: opts.distGit,
        write: false,
        ...opts.on,
      });
      if (checked.exitCode !== 0)
        throw new UsageError(
          `${variantPath} does not pass its checks against ${path.basename(tarball)}`,
          checked.findings,
          checked.exitCode === 1 ? 1 : 2,
        );
      compose.findings.push(...checked.findings.filter((f) => !compose.findings.some((g) => g.code === f.code && g.message === f.message)));
      Object.assign(compose.checks, checked.checks);
    } else {
      uncheckedNotes.push(unchecked('the dist-git names no linux-*.tar.* source to check against (pass --kernel-source)', variantPath));
    }
  }
  compose.findings.push(...uncheckedNotes);
  // the SRPM proves itself before it is built (and so before any upload): the %setup folder
  // against the tarball's index, then its own %prep per arch, both before rpmbuild -bs
  const specPath = path.join(outDir, compose.specFile);
  const { checkSetupFolder, runPrepCheck, filesIn } = await import('./prove-srpm.js');
  const setup = await checkSetupFolder(specPath, outDir);
  if (setup.length)
    throw new UsageError(`${variantPath}: the SRPM's %setup does not match its tarball`, [...compose.findings, ...setup], 2);
  if (opts.prepCheck === false) {
    compose.findings.push({
      code: 'W_PREP_CHECK_SKIPPED',
      severity: 'warning',
      message: "--no-prep-check: the SRPM's %prep was not run, so a %prep that fails in the build service is not caught here",
      where: { file: variantPath, line: 0, col: 0 },
    });
    compose.checks.prep = 'skipped: --no-prep-check';
  } else {
    const generated = filesIn(outDir).filter((n) => !/\.(?:tar(?:\.\w+)?|tgz|txz|src\.rpm)$/.test(n));
    const prep = await runPrepCheck({
      specFile: specPath,
      sourceDir: outDir,
      arches: variant.arches.list,
      generated,
      ...(baseKindOf(variant).prepOptions?.(await readFile(specPath, 'utf8'), variant.base) ?? { shAsBash: false }),
      ...(opts.inspectPrep ? { inspect: opts.inspectPrep } : {}),
    });
    compose.checks.prep = prep.summary;
    if (prep.findings.length) throw new UsageError(`${variantPath}: the SRPM's %prep fails`, [...compose.findings, ...prep.findings], 2);
  }
  const srpmPath = await buildSrpm({
    specFile: path.join(outDir, compose.specFile),
    sourceDir: outDir,
    outDir,
    sourceDateEpoch: sourceDateEpochOf(variant),
  });
  if (path.dirname(path.resolve(srpmPath)) === path.resolve(outDir)) await recordOutputFiles(outDir, [path.basename(srpmPath)]);
  return { srpmPath, variantName: variant.name, targets: variant.targets, outDir: path.join(outDir, STATE_DIR), compose };
}
