import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finding, UsageError, type Finding } from '../../findings/finding.js';
import {
  defaultCacheDir,
  loadKconfigTree,
  ReferenceConfError,
  resolveConfig,
  verifyResolved,
  type KconfigTree,
  type ResolvedConfig,
} from '../../kconfig/index.js';
import type { RpmArch } from '../../model/arch.js';
import type { PatchReport } from '../../patches/check-series.js';
import { displayPath } from '../../model/safe-path.js';
import { checkPatchesForSeries } from '../../patches/check-patches-for-series.js';
import { extractKconfigSubset, isKconfigRelevant, materializeSubset } from '../../sources/kconfig-cache.js';
import { isDirectory } from '../../sources/source-tree.js';
import { distributionPatches } from './distribution-patches.js';
import { stripOverlayBlocks } from './overlay-markers.js';
import { loadPatchedKconfigTree } from './patched-kconfig-tree.js';
import type { ConfigResolver } from './resolved-config.js';
import type { SpecMacros } from './spec-macros.js';

/** The label distribution patches carry in findings (where a feature's name would be). */
export const DISTRIBUTION_SERIES = 'distribution';

async function copyKconfigFiles(from: string, to: string, rel = ''): Promise<void> {
  for (const e of await readdir(path.join(from, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== '.git') await copyKconfigFiles(from, to, r);
    } else if (e.isFile() && isKconfigRelevant(r)) {
      await mkdir(path.dirname(path.join(to, r)), { recursive: true });
      await cp(path.join(from, r), path.join(to, r));
    }
  }
}

/**
 * What `--kernel-source` checks on a distribution overlay, like a vanilla compose: the patches
 * the distribution's %prep applies, then the variant's, applied in that order to the source (in
 * process); and a config resolver over the source as patched (when the patches change Kconfig
 * files, over a scratch copy of the Kconfig files with those changes, whose macros run no command
 * the unpatched source does not run). Release `cleanup` after use.
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
}): Promise<{
  findings: Finding[];
  check: string;
  resolver: ConfigResolver;
  /** With `verify`: one line for the report (what was cross-checked and how it went). */
  verified: () => string | undefined;
  cleanup: () => Promise<void>;
}> {
  const dist = distributionPatches(stripOverlayBlocks(args.specLines), args.macros, args.files, args.specLabel);
  const findings = [...dist.findings];
  const series = [
    ...dist.patches.map((p) => ({ feature: DISTRIBUTION_SERIES, file: p.file, text: p.text })),
    ...args.variantPatches.map((p) => ({ feature: p.feature, file: p.file, text: p.text })),
  ];
  let source = args.kernelSource;
  let scratch: string | undefined;
  let patchReports: PatchReport[] = [];
  let check = 'no patches';
  if (series.length) {
    const r = await checkPatchesForSeries(series, args.kernelSource);
    findings.push(...r.findings);
    patchReports = r.results;
    const applied = r.results.filter((x) => x.status === 'applied').length;
    check = `${applied}/${series.length} patch(es) apply to ${displayPath(args.kernelSource)}: the distribution's ${dist.patches.length} (${dist.patches.map((p) => p.file).join(', ') || 'none non-empty'}), then the variant's ${args.variantPatches.length}`;
    const kconfigChanges = [...r.files.entries()].filter(([rel]) => isKconfigRelevant(rel));
    if (kconfigChanges.length) {
      // the Kconfig engine must see the tree as the distribution's patches leave it
      let subset = args.kernelSource;
      if (!(await isDirectory(subset))) {
        subset = await extractKconfigSubset(path.resolve(subset), defaultCacheDir());
        materializeSubset(subset);
      }
      scratch = await mkdtemp(path.join(os.tmpdir(), 'kplay-dist-kconfig-'));
      await copyKconfigFiles(subset, scratch);
      for (const [rel, content] of kconfigChanges) {
        const target = path.join(scratch, rel);
        if (content === null) await rm(target, { force: true });
        else {
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, content);
        }
      }
      source = scratch;
    }
  }
  // a tree changed by patches runs no command the patches added (see patched-kconfig-tree.ts);
  // it is parsed once per arch, not once per config Source (flavour)
  const patchedTrees = new Map<RpmArch, Promise<KconfigTree>>();
  const treeOf = (arch: RpmArch): Promise<KconfigTree> => {
    if (!scratch) return loadKconfigTree({ source, arch });
    const patchedCopy = scratch;
    let tree = patchedTrees.get(arch);
    if (!tree) {
      tree = loadPatchedKconfigTree({
        kernelSource: args.kernelSource,
        patchedCopy,
        arch,
        patches: patchReports,
        distributionSeries: DISTRIBUTION_SERIES,
      });
      patchedTrees.set(arch, tree);
    }
    return tree;
  };
  const seen = new Set<string>();
  const resolver: ConfigResolver = async ({ arch, file, mergedText, baseText, requests }) => {
    const tree = await treeOf(arch);
    const resolved = resolveConfig(tree, {
      base: baseText ?? mergedText,
      baseFile: file,
      baseOrigin: { kind: 'base', name: file },
      requests: requests ?? [],
    });
    // one finding per request, not one per flavour (x86_64, x86_64-debug, ...) of the same arch
    const fresh = resolved.findings.filter((f) => {
      const key = `${f.code}|${arch}|${f.feature ?? ''}|${f.where?.file}:${f.where?.line}|${f.message.replace(file, '')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const out: Finding[] = fresh.map((f) => ({ ...f, arch: f.arch ?? arch }));
    if (args.verify) out.push(...(await verifyOne(tree, resolved, arch, file)));
    return { text: resolved.configText, findings: out };
  };
  const verifiedLines: string[] = [];
  let notVerifiedSaid = false;
  const verifyOne = async (tree: KconfigTree, resolved: ResolvedConfig, arch: RpmArch, file: string): Promise<Finding[]> => {
    if (scratch) {
      if (notVerifiedSaid) return [];
      notVerifiedSaid = true;
      return [
        finding(
          'W_KCONFIG_NOT_VERIFIED',
          "--verify-kconfig: not run: the distribution's or the variant's patches change Kconfig files, and the kernel's conf would run the shell commands of their macros",
          { hint: 'verify against the tree the patches leave, in a sandbox: kplay kconfig resolve --verify --source <patched tree>' },
        ),
      ];
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
      args.verify ? (scratch ? 'not run (patches change Kconfig files)' : verifiedLines.join(', ') || 'no config Source') : undefined,
    cleanup: async () => (scratch ? rm(scratch, { recursive: true, force: true }) : undefined),
  };
}
