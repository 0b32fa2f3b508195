import path from 'node:path';
import { sha256 } from '../../compose/manifest.js';
import { exitCodeForFindings } from '../../findings/exit-code.js';
import { finding, type Finding } from '../../findings/finding.js';
import { isDirectory, pathExists } from '../../fs/path-kind.js';
import type { KmodBase, Variant } from '../../model/variant.js';
import { renderTemplate } from '../../render/render-spec.js';
import { outputPatches } from '../../render/spec-context.js';
import { SpecBoundary } from '../../boundary/index.js';
import { KPLAY_VERSION } from '../../version.js';
import type { ComposeOptions, ComposeResult } from '../base-kind.js';
import { resolveCheckMerge } from '../resolve-check-merge.js';
import { builtinRequestFindings } from './check-kmod-requests.js';
import { folderKconfigSymbols, requestedBuildOptions, type ArchBuildOptions } from './module-build-options.js';
import { buildKmodSpecContext, kmodName, moduleOptions } from './kmod-spec-context.js';
import { withKmodKernel } from './kmod-kernel-override.js';
import { composeResultSoFar } from '../compose-result.js';
import { codePointOrder } from '../../model/code-point-order.js';
import { displayPath } from '../../model/safe-path.js';

/** A tarball, or a tree folder with a top-level Kconfig (a folder of module sources alone has none). */
async function hasKconfig(kernelSource: string): Promise<boolean> {
  return !(await isDirectory(kernelSource)) || pathExists(path.join(kernelSource, 'Kconfig'));
}

/** make's words for one arch: `CONFIG_X=y|m …` and, when some option is not in the target's autoconf.h, `KCFLAGS=-DCONFIG_X=1 …`. */
export function buildOptionWords(b: ArchBuildOptions | undefined): string[] {
  if (!b) return [];
  return [...b.make, ...(b.kcflags.length ? [`KCFLAGS=${b.kcflags.join(' ')}`] : [])];
}

const hasErrors = (findings: readonly Finding[]) => findings.some((f) => f.severity === 'error');

/**
 * `type: kmod`: the chosen features become one out-of-tree module package built against
 * kernel-devel `kmod.kernel-version`. Every feature needs module folders under kmod.modules.
 * Before anything is written, the same standard as for kernels: with --kernel-source the module
 * folders must exist and the patches apply; `=y` requests are errors; with --kernel-devel the
 * requests are resolved on the target kernel's .config, the modules compile, and their symbols
 * match the kernel's Module.symvers (kABI).
 */
export async function composeKmod(
  loadedVariant: Variant<KmodBase>,
  root: string,
  opts: ComposeOptions,
  findings: Finding[],
): Promise<ComposeResult> {
  const variant = opts.kmodKernelVersion ? withKmodKernel(loadedVariant, opts.kmodKernelVersion, opts.kmodChangelogText) : loadedVariant;
  const checks: Record<string, string> = {};
  const done = composeResultSoFar(findings, checks, { variant, root });
  const stages = await resolveCheckMerge(variant, root, findings, checks, {
    ...(opts.kernelSource ? { kernelSource: opts.kernelSource } : {}),
    beforeMerge: (resolved) => {
      for (const r of resolved.order) {
        if (!variant.base.modules[r.feature.name]) {
          findings.push({
            code: 'E_KMOD_NO_MODULES',
            severity: 'error',
            message: `feature ${r.feature.name} has no module folders: a kmod package builds only what kmod.modules lists`,
            where: r.reason.where,
            feature: r.feature.name,
            hint: `add kmod.modules: { ${r.feature.name}: [drivers/...] }`,
          });
        }
      }
    },
  });
  const { resolved } = stages;
  if (!stages.merged) return done({ resolved });
  const merged = stages.merged;
  if (opts.verifyKconfig) {
    findings.push(
      finding(
        'W_KCONFIG_NOT_VERIFIED',
        "--verify-kconfig: not run for a kmod variant: its options are checked against the target kernel's own config, nothing is resolved like make olddefconfig",
      ),
    );
  }
  for (const a of moduleOptions(merged)) {
    if (!a.options.length)
      findings.push({
        code: 'W_KMOD_NO_MODULE_OPTION',
        severity: 'warning',
        message: `no feature asks for a module (=m) on ${a.arch}: the build compiles only what the folders' Makefiles build by default`,
        where: variant.arches.where,
        arch: a.arch,
      });
  }
  const patches = outputPatches(resolved);

  // before-build checks against the base source and the target kernel
  let folderFiles: Map<string, Buffer> | undefined;
  if (opts.kernelSource && !hasErrors(findings.filter((f) => f.code === 'E_KMOD_NO_MODULES'))) {
    const { checkModuleFolders } = await import('./module-folder-files.js');
    const folders = await checkModuleFolders(variant.base, resolved, opts.kernelSource);
    findings.push(...folders.findings);
    folderFiles = folders.files;
    checks.folders = folders.findings.length ? 'module folders missing in the base source' : `module folders found in ${opts.kernelSource}`;
  } else {
    checks.folders = 'skipped: no kernel source given (pass --kernel-source <tree-or-tarball>)';
  }
  const dirsOfVariant = [...new Set(resolved.order.flatMap((r) => variant.base.modules[r.feature.name]?.dirs ?? []))].map((d) =>
    d.replace(/\/+$/, ''),
  );
  // options the module folders declare may be =y (built into the module); without the folders' files nothing can tell
  const folderSymbols = folderFiles ? folderKconfigSymbols(folderFiles, dirsOfVariant) : undefined;
  findings.push(...builtinRequestFindings(merged, folderSymbols));
  const buildOptions = requestedBuildOptions(merged, folderSymbols ?? new Set());
  let builtArch: string | undefined;
  const devel = opts.kernelDevel ? await (await import('./kernel-devel-tree.js')).openKernelDevel(opts.kernelDevel) : undefined;
  try {
    const target = devel
      ? { ...devel, file: `${devel.label}/.config` }
      : opts.kernelConfig
        ? await (await import('./target-kernel-config.js')).readTargetKernelConfig(opts.kernelConfig)
        : undefined;
    if (!target) {
      checks.kconfig =
        "skipped: a kmod's options are checked in the target kernel's config (pass --kernel-devel <tree-or-rpm> or --kernel-config <file>)";
    } else if (opts.kernelSource && (await hasKconfig(opts.kernelSource))) {
      const { checkKmodKconfig } = await import('./check-kmod-kconfig.js');
      const k = await checkKmodKconfig(merged, target, opts.kernelSource, dirsOfVariant, folderSymbols);
      findings.push(...k.findings);
      checks.kconfig = k.check;
      // the target arch builds with the resolved options of the module folders (spec and compile test)
      if (k.buildOptions) {
        const i = buildOptions.findIndex((b) => b.arch === k.buildOptions!.arch);
        if (i >= 0) buildOptions[i] = k.buildOptions;
      }
    } else {
      checks.kconfig = 'skipped: the Kconfig check needs the kernel source too (--kernel-source)';
    }
    if (!devel) {
      checks.build = 'skipped: no kernel-devel given (pass --kernel-devel <tree-or-rpm>)';
    } else if (!folderFiles) {
      checks.build = 'skipped: the compile test needs the module sources (--kernel-source)';
    } else if (hasErrors(findings)) {
      checks.build = 'skipped: earlier errors';
    } else {
      const { compileKmod } = await import('./compile-kmod.js');
      const arch = devel.arch ?? variant.arches.list[0]!;
      const dirs = resolved.order.flatMap((r) =>
        (variant.base.modules[r.feature.name]?.dirs ?? []).map((d) => ({
          dir: d.replace(/\/+$/, ''),
          feature: r.feature.name,
          where: variant.base.modules[r.feature.name]!.where,
        })),
      );
      const c = await compileKmod({
        devel,
        files: folderFiles,
        dirs,
        patches: patches.map((p) => ({ file: p.file, text: p.text, feature: p.feature })),
        options: buildOptionWords(buildOptions.find((a) => a.arch === arch)),
        ...(opts.kabiSymvers?.length ? { otherSymvers: opts.kabiSymvers } : {}),
        ...(opts.kabiStablelist ? { stablelist: opts.kabiStablelist } : {}),
      });
      findings.push(...c.findings);
      checks.build = c.check;
      builtArch = arch;
    }
  } finally {
    await devel?.dispose();
  }
  // ExclusiveArch names every arch the package builds on: say which ones no check covered
  const unchecked = variant.arches.list.filter((a) => a !== builtArch);
  checks.arches =
    builtArch && !(variant.arches.list as readonly string[]).includes(builtArch)
      ? // a kernel-devel of another arch: nothing the package builds was checked (track and matrix: unchecked)
        `skipped: the kernel-devel is for ${builtArch}, which is not an arch of the variant (${variant.arches.list.join(', ')})`
      : builtArch
        ? `checked on ${builtArch}${unchecked.length ? `; not checked on ${unchecked.join(', ')} (no kernel-devel for ${unchecked.length > 1 ? 'them' : 'it'})` : ''}`
        : `not checked on ${variant.arches.list.join(', ')}`;
  if (builtArch)
    for (const a of unchecked)
      findings.push({
        code: 'N_KMOD_ARCH_NOT_CHECKED',
        severity: 'note',
        message: `ExclusiveArch has ${a}, but the checks ran against the ${builtArch} kernel-devel ${displayPath(opts.kernelDevel!)} only: Kconfig, compile test and kABI were not run for ${a}`,
        where: variant.arches.where,
        arch: a,
        hint: `run compose again with --kernel-devel of the ${a} kernel-devel (the kernel-devel RPM of ${variant.base.kernelVersion}.${a}) to check it`,
      });

  const files = new Map<string, Buffer | string>();
  for (const p of patches) files.set(p.file, p.text);
  const specFile = `kmod-${kmodName(variant)}.spec`;
  if (opts.render !== false) {
    const boundary = new SpecBoundary();
    const context = buildKmodSpecContext(variant, resolved, patches, buildOptions, KPLAY_VERSION, root, boundary);
    findings.push(...boundary.findings);
    if (exitCodeForFindings(findings) === 2) return done({ resolved, merged, patches });
    files.set(specFile, renderTemplate('kmod.spec.njk', context));
  }
  const manifest = {
    kplay: KPLAY_VERSION,
    variant: { name: variant.name, type: 'kmod' },
    kmod: {
      kernelVersion: variant.base.kernelVersion,
      packaging: variant.base.packaging,
      source: variant.base.source.url,
      ...(variant.base.source.sha256 ? { sha256: variant.base.source.sha256 } : {}),
    },
    features: resolved.order.map((r) => r.feature.name),
    checks,
    outputs: [...files.entries()]
      .map(([file, content]) => ({ file, sha256: sha256(content) }))
      .sort((a, b) => codePointOrder(a.file, b.file)),
  };
  files.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  const outDir = path.resolve(opts.out ?? path.join(root, 'out', variant.name));
  return done({ resolved, merged, patches, outDir, files, specFile });
}
