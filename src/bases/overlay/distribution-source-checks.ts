import { UsageError, type Finding } from '../../findings/finding.js';
import {
  dependencyChain,
  listNewOptions,
  ReferenceConfError,
  resolveConfig,
  verifyResolved,
  type KconfigTree,
  type ResolvedConfig,
} from '../../kconfig/index.js';
import type { RpmArch } from '../../model/arch.js';
import { displayPath } from '../../model/safe-path.js';
import { checkPatchesForSeries } from '../../patches/check-patches-for-series.js';
import { kernelSourceVersionFinding } from '../../compose/resolve-kconfig.js';
import { distributionPatches } from './distribution-patches.js';
import { stripOverlayBlocks } from './overlay-markers.js';
import { patchedKconfigSource, patchedTreeNotVerified, type AppliedSeries } from '../patched-kconfig-source.js';
import type { ConfigResolver, NewOption, ObservedResolution } from './resolved-config.js';
import { readConfigLines } from './set-config-values.js';
import type { SpecMacros } from './spec-macros.js';

/** The label distribution patches carry in findings (where a feature's name would be). */
export const DISTRIBUTION_SERIES = 'distribution';

/**
 * What `--kernel-source` checks on a distribution overlay, like a vanilla compose: the patches
 * the distribution's %prep applies, then the variant's, applied in that order to the source (in
 * process); and a config resolver over the source as patched (when the patches change Kconfig
 * files, over the source with those changes read in their place, whose macros run no command
 * the unpatched source does not run).
 */
export async function distributionSourceChecks(args: {
  kernelSource: string;
  specLines: readonly string[];
  macros: SpecMacros;
  files: ReadonlyMap<string, Buffer>;
  specLabel: string;
  variantPatches: ReadonlyArray<{ file: string; feature: string; text: Buffer }>;
  /** `--verify-kconfig`: cross-check every resolve with the kernel's own conf (unpatched Kconfig only). */
  verify?: boolean;
  /** Called with each config Source as resolved (`kplay explain`). */
  observe?: (r: ObservedResolution) => void;
  /** The kernel version the spec builds: a source of another version is W_KERNEL_SOURCE_VERSION. */
  specVersion?: { version: string; where: Finding['where'] };
}): Promise<{
  findings: Finding[];
  check: string;
  resolver: ConfigResolver;
  /** With `verify`: one line for the report (what was cross-checked and how it went). */
  verified: () => string | undefined;
}> {
  const dist = distributionPatches(stripOverlayBlocks(args.specLines), args.macros, args.files, args.specLabel);
  const findings = [...dist.findings];
  const series = [
    ...dist.patches.map((p) => ({ feature: DISTRIBUTION_SERIES, file: p.file, text: p.text })),
    ...args.variantPatches.map((p) => ({ feature: p.feature, file: p.file, text: p.text })),
  ];
  let check = 'no patches';
  let applied: AppliedSeries | undefined;
  if (series.length) {
    const r = await checkPatchesForSeries(series, args.kernelSource);
    findings.push(...r.findings);
    applied = r;
    const appliedCount = r.results.filter((x) => x.status === 'applied').length;
    check = `${appliedCount}/${series.length} patch(es) apply to ${displayPath(args.kernelSource)}: the distribution's ${dist.patches.length} (${dist.patches.map((p) => p.file).join(', ') || 'none non-empty'}), then the variant's ${args.variantPatches.length}`;
  }
  // the Kconfig engine sees the tree as the distribution's and the variant's patches leave it
  // resolved like the distribution's process_configs.sh: make CROSS_COMPILE=scripts/dummy-tools/
  const kconfig = patchedKconfigSource(args.kernelSource, applied, DISTRIBUTION_SERIES, 'dummy-tools');
  const seen = new Set<string>();
  let versionChecked = false;
  // the distribution's own Source resolved alone, once per Source text (its own -n/-c results)
  const baselines = new Map<string, { text: string; newOptions: Set<string> }>();
  const resolver: ConfigResolver = async ({ arch, file, mergedText, baseText, requests }) => {
    // process_configs skips a config whose first line says `# EMPTY`
    if ((baseText ?? mergedText).startsWith('# EMPTY\n')) return { text: mergedText, findings: [] };
    const tree = await kconfig.treeOf(arch);
    const versionWarning: Finding[] = [];
    if (args.specVersion && !versionChecked) {
      versionChecked = true;
      const w = kernelSourceVersionFinding(tree, args.specVersion.version, args.specVersion.where);
      if (w)
        versionWarning.push({
          ...w,
          message: w.message.replace('the variant builds', "the spec's %prep unpacks"),
          hint: "pass the distribution's own tarball (the one its sources file names) with --kernel-source",
        });
    }
    let baseline: { text: string; newOptions: Set<string> } | undefined;
    if (baseText !== undefined) {
      baseline = baselines.get(`${arch}\u0000${baseText}`);
      if (!baseline) {
        const alone = kconfig.guard(() => resolveConfig(tree, { base: baseText, baseFile: file, requests: [] }));
        baseline = { text: alone.configText, newOptions: new Set(listNewOptions(tree)) };
        baselines.set(`${arch}\u0000${baseText}`, baseline);
      }
    }
    // the merged Source as the build's olddefconfig reads it; the requests name who asked each value
    const resolved = kconfig.guard(() =>
      resolveConfig(tree, {
        base: mergedText,
        baseFile: file,
        baseOrigin: { kind: 'base', name: file },
        requests: requests ?? [],
      }),
    );
    args.observe?.({ arch, file, tree, resolved, requests: requests ?? [] });
    const lines = readConfigLines(resolved.configText);
    const asked = new Set((requests ?? []).map((r) => r.symbol));
    const newOptions: NewOption[] = listNewOptions(tree)
      .filter((sym) => !baseline?.newOptions.has(sym) && !asked.has(sym) && lines.has(sym))
      .map((sym) => ({ symbol: sym, line: lines.get(sym)!, exposedBy: dependencyChain(tree, sym).filter((d) => asked.has(d)) }));
    // one finding per request, not one per flavour (x86_64, x86_64-debug, ...) of the same arch
    const fresh = resolved.findings.filter((f) => {
      const key = `${f.code}|${arch}|${f.feature ?? ''}|${f.where?.file}:${f.where?.line}|${f.message.replace(file, '')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const out: Finding[] = [...versionWarning, ...fresh.map((f) => ({ ...f, arch: f.arch ?? arch }))];
    if (args.verify) out.push(...(await verifyOne(tree, resolved, arch, file)));
    return { text: resolved.configText, findings: out, newOptions, ...(baseline ? { baseResolvedText: baseline.text } : {}) };
  };
  const verifiedLines: string[] = [];
  let notVerifiedSaid = false;
  const verifyOne = async (tree: KconfigTree, resolved: ResolvedConfig, arch: RpmArch, file: string): Promise<Finding[]> => {
    if (kconfig.patched) {
      if (notVerifiedSaid) return [];
      notVerifiedSaid = true;
      return [patchedTreeNotVerified("the distribution's or the variant's")];
    }
    try {
      const v = await verifyResolved(tree, resolved);
      verifiedLines.push(`${file} ${v.findings.length ? 'differs' : 'identical'}`);
      return v.findings.map((f) => ({ ...f, arch, message: `${file}: ${f.message}` }));
    } catch (err) {
      if (err instanceof ReferenceConfError) throw new UsageError(`--verify-kconfig: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
      throw err;
    }
  };
  return {
    findings,
    check,
    resolver,
    verified: () =>
      args.verify
        ? kconfig.patched
          ? 'not run (patches change Kconfig files)'
          : verifiedLines.join(', ') || 'no config Source'
        : undefined,
  };
}
