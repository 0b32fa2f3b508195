import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildManifest, place } from '../../compose/manifest.js';
import { renderFragment } from '../../config/merge-config.js';
import type { Finding } from '../../findings/finding.js';
import { displayPath } from '../../model/safe-path.js';
import type { VanillaVariant } from '../../model/variant.js';
import { buildSpecContext, outputPatches, type OutputConfig } from '../../render/spec-context.js';
import { SpecBoundary } from '../../boundary/index.js';
import { inputReadFinding, readInputFile } from '../../model/read-input-file.js';
import { KPLAY_VERSION } from '../../version.js';
import type { ComposeOptions, ComposeResult } from '../base-kind.js';
import { inputUnusable, resolveCheckMerge } from '../resolve-check-merge.js';
import { composeResultSoFar } from '../compose-result.js';

/**
 * A kernel.org base: resolve → check → merge, then (with a kernel source) resolve each arch's
 * config like `make olddefconfig`, and render the spec, the config fragments and the manifest.
 */
export async function composeVanilla(
  variant: VanillaVariant,
  root: string,
  opts: ComposeOptions,
  findings: Finding[],
): Promise<ComposeResult> {
  const checks: Record<string, string> = {};
  const done = composeResultSoFar(findings, checks);

  const stages = await resolveCheckMerge(variant, root, findings, checks, opts.kernelSource ? { kernelSource: opts.kernelSource } : {});
  if (stages.stoppedAt === 'resolve') return done({ variant, root });
  const { resolved } = stages;
  if (!stages.merged) return done({ variant, root, resolved });
  const merged = stages.merged;

  const patches = outputPatches(resolved);
  const resolvedConfigs = new Map<string, string>();
  if (opts.kernelSource && !inputUnusable(findings)) {
    const { resolveVariantConfigs } = await import('../../compose/resolve-kconfig.js');
    const k = await resolveVariantConfigs(variant, merged, opts.kernelSource, {
      verify: opts.verifyKconfig,
      ...(stages.applied ? { applied: stages.applied } : {}),
    });
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
    files.set(
      requestedFile,
      renderFragment(m, (r) => place(r, root)),
    );
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
  const { renderTemplate, TEMPLATE_DIR } = await import('../../render/render-spec.js');
  files.set('kplay-check-config.sh', await readFile(path.join(TEMPLATE_DIR, 'kplay-check-config.sh')));
  if (variant.signing) files.set('kplay-signing.crt.pem', variant.signing.pem); // public certificate only (docs/signing.md)
  const specFile = `kernel-${variant.name}.spec`;
  const context = buildSpecContext(variant, resolved, patches, configs, KPLAY_VERSION, root, boundary);
  // a value the rendering boundary refused: nothing is rendered or written
  findings.push(...boundary.findings);
  if (inputUnusable(findings)) return done({ variant, resolved, merged, patches, root });
  files.set(specFile, renderTemplate('kernel.spec.njk', context));
  files.set(
    'manifest.json',
    await buildManifest({ root, variant, resolved, merged, patches, outputs: files, kplayVersion: KPLAY_VERSION, checks }),
  );

  return done({ variant, resolved, merged, patches, root, outDir, files, specFile });
}
