import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Finding } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import { exitCodeForFindings } from '../findings/exit-code.js';
import { mergeConfig, renderFragment, type MergedConfig } from '../config/merge-config.js';
import { loadVariant } from '../load/load-variant.js';
import { isVanillaVariant, type Variant } from '../model/variant.js';
import { withBase, type BaseOverride } from '../bases/vanilla/base-override.js';
import type { ConfigResolver } from '../bases/overlay/resolved-config.js';
import { resolveFeatures, type ResolvedFeatures } from '../resolve/resolve-features.js';
import { buildSpecContext, outputPatches, type OutputConfig, type OutputPatch } from '../spec/spec-context.js';
import { SpecBoundary } from '../spec/boundary/index.js';
import { KPLAY_VERSION } from '../version.js';
import { findRepositoryRoot } from './find-root.js';
import { buildManifest, place } from './manifest.js';
import { checkFeaturePatches } from './check-feature-patches.js';
import { displayPath } from '../model/safe-path.js';
import { writeOutputAtomically } from './write-output.js';
import { inputReadFinding, readInputFile } from '../model/read-input-file.js';

export interface ComposeOptions {
  /** Output folder; default <root>/out/<variant>. */
  out?: string;
  /** Repository root (holding features/); default: found from the variant's folder. */
  root?: string;
  /** Write the output (default true). */
  write?: boolean;
  /**
   * Render the spec and manifest (default true). Commands that only need the resolved features
   * and merged config (explain, diff) skip it, and with it loading the template engine.
   */
  render?: boolean;
  /** Overlay bases: a local dist-git checkout or a git URL used instead of the variant's. */
  distGit?: string;
  /** Overlay bases: turns a config Source plus requested values into a fully resolved config (the Kconfig engine). */
  resolveConfig?: ConfigResolver;
  /** Kernel tree folder or source tarball of the base: enables the Kconfig and patch checks. */
  kernelSource?: string;
  /** With kernelSource: also run the kernel's own conf --olddefconfig per arch and report any difference (E_KCONFIG_VERIFY). */
  verifyKconfig?: boolean;
  /** Vanilla bases: compose against this release instead of the variant's base (kplay matrix, kplay track). */
  baseOverride?: BaseOverride;
  /** kmod variants: the target kernel's kernel-devel (folder or RPM): Kconfig check on its .config, compile test, kABI check. */
  kernelDevel?: string;
  /** kmod variants without a kernel-devel: the target kernel's distribution config for the Kconfig check. */
  kernelConfig?: string;
  /** kmod variants: other kernels' Module.symvers the built modules must load into (kABI check). */
  kabiSymvers?: string[];
  /** kmod variants: the distribution's kABI stablelist. */
  kabiStablelist?: string;
  /** kmod variants: build against this kernel-devel version-release instead of kmod.kernel-version (kplay track). */
  kmodKernelVersion?: string;
}

export interface ComposeResult {
  findings: Finding[];
  exitCode: 0 | 1 | 2;
  variant?: Variant;
  resolved?: ResolvedFeatures;
  merged?: MergedConfig[];
  patches?: OutputPatch[];
  root?: string;
  outDir?: string;
  /** Files of the output, by name relative to outDir. */
  files?: Map<string, Buffer | string>;
  specFile?: string;
  written: boolean;
  /** What was checked and what was skipped (and why), for the summary and the manifest. */
  checks: Record<string, string>;
}

/**
 * load → resolve → merge → check → render → write. Stops at the first stage whose input is
 * unusable; writes nothing when any error was found.
 */
export async function composeVariant(variantPath: string, opts: ComposeOptions = {}): Promise<ComposeResult> {
  const findings: Finding[] = [];
  const checks: Record<string, string> = {};
  const done = (extra: Partial<ComposeResult> = {}): ComposeResult => ({ findings, exitCode: exitCodeForFindings(findings), written: false, checks, ...extra });

  if (opts.kernelSource && !(await pathExists(opts.kernelSource))) {
    throw new UsageError(`kernel source ${opts.kernelSource} does not exist (give an extracted tree or a tarball)`);
  }
  const loaded = await loadVariant(variantPath);
  findings.push(...loaded.findings);
  const variant = loaded.variant && opts.baseOverride ? withBase(loaded.variant, opts.baseOverride) : loaded.variant;
  if (!variant) return done();
  const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(variantPath);
  // distribution overlays (fedora, centos-stream) and kmod packages: src/overlay/
  if (!isVanillaVariant(variant)) {
    // loaded on demand: most composes never need the overlay code or the Kconfig engine
    const { composeDistributionVariant } = await import('../bases/overlay/compose-distribution-variant.js');
    const resolveConfig = opts.resolveConfig ?? (opts.kernelSource ? (await import('./resolve-kconfig.js')).overlayConfigResolver(opts.kernelSource) : undefined);
    return composeDistributionVariant(variant, root, { ...opts, ...(resolveConfig ? { resolveConfig } : {}) }, findings);
  }

  const { resolved, findings: resolveFindings } = await resolveFeatures(variant, root);
  findings.push(...resolveFindings);
  if (exitCodeForFindings(findings) === 2) return done({ variant, root });
  const patchCheck = await checkFeaturePatches(resolved, opts.kernelSource);
  findings.push(...patchCheck.findings);
  checks.patches = patchCheck.check;
  if (exitCodeForFindings(findings) === 2) return done({ variant, root, resolved });

  const merged: MergedConfig[] = [];
  for (const arch of variant.arches.list) {
    const m = mergeConfig(variant, resolved, arch);
    findings.push(...m.findings);
    merged.push(m.merged);
  }
  const patches = outputPatches(resolved);
  const resolvedConfigs = new Map<string, string>();
  if (opts.kernelSource && exitCodeForFindings(findings) !== 2) {
    const { resolveVariantConfigs } = await import('./resolve-kconfig.js');
    const k = await resolveVariantConfigs(variant, merged, opts.kernelSource, { verify: opts.verifyKconfig });
    findings.push(...k.findings);
    for (const r of k.resolutions) resolvedConfigs.set(r.arch, r.resolved.configText);
    checks.kconfig = `resolved like make olddefconfig on ${displayPath(opts.kernelSource)}: ${k.resolutions.map((r) => r.arch).join(', ') || 'no arch'}${k.skipped.length ? `; skipped ${k.skipped.join(', ')}` : ''}${k.verified ? `; --verify-kconfig: ${k.verified}` : ''}`;
  } else {
    checks.kconfig = 'skipped: no kernel source given (pass --kernel-source <tree-or-tarball>)';
  }

  if (opts.render === false) return done({ variant, resolved, merged, patches, root });
  const outDir = path.resolve(opts.out ?? path.join(root, 'out', variant.name));
  const files = new Map<string, Buffer | string>();
  const configs: OutputConfig[] = [];
  const boundary = new SpecBoundary();
  for (const m of merged) {
    const requestedFile = `kplay-${m.arch}.requested.config`;
    files.set(requestedFile, renderFragment(m, (r) => place(r, root)));
    const base = variant.base.config[m.arch]!;
    const out: OutputConfig = { arch: m.arch, requestedFile, baseTarget: base.kind === 'target' ? base.target : 'olddefconfig' };
    const full = resolvedConfigs.get(m.arch);
    if (full !== undefined) {
      // fully resolved by the Kconfig engine: the build's olddefconfig has nothing left to change
      out.baseFile = `kplay-${m.arch}.config`;
      files.set(out.baseFile, full);
    } else if (base.kind === 'file') {
      out.baseFile = `kplay-${m.arch}.base.config`;
      const read = await readInputFile(base.path);
      if (!read.ok) {
        findings.push(inputReadFinding(base.path, read, 'base config file', base.where));
        return done({ variant, resolved, merged, patches, root });
      }
      files.set(out.baseFile, read.bytes);
    } else if (base.kind === 'url') {
      out.baseFile = boundary.sourceFileName(base.url, base.fileName, base.where, `${m.arch} base config`);
    }
    out.where = base.where;
    configs.push(out);
  }
  for (const p of patches) files.set(p.file, p.text);
  const { renderTemplate, TEMPLATE_DIR } = await import('../spec/render-spec.js');
  files.set('kplay-check-config.sh', await readFile(path.join(TEMPLATE_DIR, 'kplay-check-config.sh')));
  if (variant.signing) files.set('kplay-signing.crt.pem', variant.signing.pem); // public certificate only (docs/signing.md)
  const specFile = `kernel-${variant.name}.spec`;
  const context = buildSpecContext(variant, resolved, patches, configs, KPLAY_VERSION, root, boundary);
  // a value the rendering boundary refused: nothing is rendered or written
  findings.push(...boundary.findings);
  if (exitCodeForFindings(findings) === 2) return done({ variant, resolved, merged, patches, root });
  files.set(specFile, renderTemplate('kernel.spec.njk', context));
  files.set('manifest.json', await buildManifest({ root, variant, resolved, merged, patches, outputs: files, kplayVersion: KPLAY_VERSION, checks }));

  const result = done({ variant, resolved, merged, patches, root, outDir, files, specFile });
  if (result.exitCode === 0 && opts.write !== false) {
    try {
      await writeOutputAtomically(outDir, files, { variant: variant.name, root, variantFile: variant.file });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!code) throw err;
      throw new UsageError(`cannot write the output to ${displayPath(outDir)} (${code}): choose another folder with --out`);
    }
    result.written = true;
  }
  return result;
}
