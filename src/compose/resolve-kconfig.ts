import { UsageError, type Finding } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import { mergedRequests, type MergedConfig } from '../config/merge-config.js';
import { asUsageError, loadKconfigTree, readBaseConfig, resolveConfig, type KconfigTree, type ResolvedConfig } from '../kconfig/index.js';
import type { RpmArch } from '../model/arch.js';
import { displayPath } from '../model/safe-path.js';
import type { VanillaVariant } from '../model/variant.js';
import type { ConfigResolver } from '../bases/overlay/resolved-config.js';
import { compareKernelVersions, parseKernelVersion } from '../model/kernel-version.js';
import { startStep } from '../progress/progress.js';
import { patchedKconfigSource, patchedTreeNotVerified, type AppliedSeries } from '../bases/patched-kconfig-source.js';

export interface ArchResolution {
  arch: RpmArch;
  tree: KconfigTree;
  resolved: ResolvedConfig;
}

/** Warn when the kernel source given for checks is not the release the variant builds. */
export function kernelSourceVersionFinding(
  tree: KconfigTree,
  expected: string,
  where: Finding['where'],
  /** The features' patches that change the top Makefile (the version is then theirs, not the source's). */
  makefilePatches: readonly string[] = [],
): Finding | undefined {
  const have = parseKernelVersion(tree.kernelVersion);
  const want = parseKernelVersion(expected);
  if (!have || !want || compareKernelVersions(have, want) === 0) return undefined;
  if (makefilePatches.length)
    return {
      code: 'W_KERNEL_SOURCE_VERSION',
      severity: 'warning',
      message: `the kernel source ${displayPath(tree.label)} as the features' patches leave it is Linux ${tree.kernelVersion} (${makefilePatches.join(', ')} change its Makefile), but the variant builds ${expected}; checks may differ from the build`,
      ...(where ? { where } : {}),
      hint: "a feature patch changes the kernel's version (VERSION, PATCHLEVEL, SUBLEVEL or EXTRAVERSION in the top Makefile): drop that change from the patch, or base the variant on the release the patches make",
    };
  return {
    code: 'W_KERNEL_SOURCE_VERSION',
    severity: 'warning',
    message: `the kernel source ${displayPath(tree.label)} is Linux ${tree.kernelVersion}, but the variant builds ${expected}; checks may differ from the build`,
    ...(where ? { where } : {}),
    hint: 'pass the tarball of the base release with --kernel-source',
  };
}

/**
 * Resolve each arch of a vanilla variant like `make olddefconfig`: the base config, then the
 * merged requests. Returns the fully resolved configs and one finding per request that did not
 * survive (attributed to the line that asked for it).
 */
export async function resolveVariantConfigs(
  variant: VanillaVariant,
  merged: readonly MergedConfig[],
  kernelSource: string,
  opts: {
    verify?: boolean;
    /** The features' patch series as applied to `kernelSource`: Kconfig is resolved as it leaves the tree. */
    applied?: AppliedSeries;
  } = {},
): Promise<{ resolutions: ArchResolution[]; findings: Finding[]; skipped: string[]; verified?: string }> {
  if (!(await pathExists(kernelSource)))
    throw new UsageError(`kernel source ${kernelSource} does not exist (give an extracted tree or a tarball)`);
  const kconfig = patchedKconfigSource(kernelSource, opts.applied);
  const verify = opts.verify === true;
  const findings: Finding[] = [];
  const resolutions: ArchResolution[] = [];
  const skipped: string[] = [];
  const verified: string[] = [];
  let versionChecked = false;
  for (const m of merged) {
    const base = variant.base.config[m.arch]!;
    if (base.kind === 'url') {
      skipped.push(`${m.arch} (its base config is a URL; kplay srpm fetches it)`);
      continue;
    }
    const step = startStep(`Kconfig ${m.arch}: reading the Kconfig tree of ${displayPath(kernelSource)}`);
    const tree = await kconfig.treeOf(m.arch).catch((err: unknown) => {
      step.fail();
      throw asUsageError(err);
    });
    step.update('resolving like make olddefconfig');
    if (!versionChecked) {
      const makefilePatches = kconfig.patched
        ? (opts.applied?.results ?? [])
            .filter((r) => r.status === 'applied' && r.hunks.some((h) => h.path === 'Makefile'))
            .map((r) => r.patch)
        : [];
      const w = kernelSourceVersionFinding(tree, variant.base.version, variant.base.versionWhere, makefilePatches);
      if (w) findings.push(w);
      versionChecked = true;
    }
    const baseText = await kconfig.guard(() => readBaseConfig(tree, base.kind === 'target' ? base.target : base.path, m.arch));
    const resolved = kconfig.guard(() =>
      resolveConfig(tree, {
        base: baseText.text,
        baseFile: base.kind === 'file' ? base.display : `${displayPath(kernelSource)}:${baseText.file}`,
        baseOrigin: { kind: 'base', name: base.kind === 'target' ? base.target : base.display },
        requests: mergedRequests(m),
      }),
    );
    findings.push(...resolved.findings.map((f) => ({ ...f, arch: f.arch ?? m.arch })));
    resolutions.push({ arch: m.arch, tree, resolved });
    step.done(`Kconfig ${m.arch}: resolved like make olddefconfig`);
    if (verify && kconfig.patched) {
      // the kernel's conf would run whatever the features' patches put in Kconfig macros
      if (!verified.length) findings.push(patchedTreeNotVerified("the features'"));
      verified.push(`${m.arch} not run (patches change Kconfig files)`);
    } else if (verify) {
      const { verifyResolved, ReferenceConfError } = await import('../kconfig/index.js');
      try {
        const v = await verifyResolved(tree, resolved);
        findings.push(...v.findings);
        verified.push(`${m.arch} ${v.findings.length ? 'differs' : 'identical'}`);
      } catch (err) {
        if (err instanceof ReferenceConfError) throw new UsageError(`--verify-kconfig: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
        throw err;
      }
    }
  }
  return { resolutions, findings, skipped, ...(verify ? { verified: verified.join(', ') || 'no arch' } : {}) };
}

/** The overlay's config resolver over a kernel tree: a distribution config Source resolved like olddefconfig. */
export function overlayConfigResolver(kernelSource: string): ConfigResolver {
  return async ({ arch, file, mergedText }) => {
    const tree = await loadKconfigTree({ source: kernelSource, arch });
    const resolved = resolveConfig(tree, { base: mergedText, baseFile: file, baseOrigin: { kind: 'base', name: file }, requests: [] });
    // the distribution's own lines are not the user's requests: only report the tree's problems
    return { text: resolved.configText, findings: resolved.findings.filter((f) => f.code === 'E_KCONFIG_PARSE') };
  };
}
