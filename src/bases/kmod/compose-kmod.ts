import path from 'node:path';
import { sha256 } from '../../compose/manifest.js';
import { exitCodeForFindings } from '../../findings/exit-code.js';
import type { Finding } from '../../findings/finding.js';
import type { KmodBase, Variant } from '../../model/variant.js';
import { renderTemplate } from '../../spec/render-spec.js';
import { outputPatches } from '../../spec/spec-context.js';
import { SpecBoundary } from '../../spec/boundary/index.js';
import { KPLAY_VERSION } from '../../version.js';
import type { ComposeOptions, ComposeResult } from '../base-kind.js';
import { resolveCheckMerge } from '../resolve-check-merge.js';
import { buildKmodSpecContext, kmodName, moduleOptions } from './kmod-spec-context.js';

/**
 * `type: kmod`: the chosen features become one out-of-tree module package built against
 * kernel-devel `kmod.kernel-version`. Every feature needs module folders under kmod.modules.
 */
export async function composeKmod(variant: Variant<KmodBase>, root: string, opts: ComposeOptions, findings: Finding[]): Promise<ComposeResult> {
  const checks: Record<string, string> = {};
  const done = (extra: Partial<ComposeResult> = {}): ComposeResult => ({ findings, exitCode: exitCodeForFindings(findings), written: false, checks, variant, root, ...extra });
  const stages = await resolveCheckMerge(variant, root, findings, checks, {
    ...(opts.kernelSource ? { kernelSource: opts.kernelSource } : {}),
    beforeMerge: (resolved) => {
      for (const r of resolved.order) {
        if (!variant.base.modules[r.feature.name]) {
          findings.push({ code: 'E_KMOD_NO_MODULES', severity: 'error', message: `feature ${r.feature.name} has no module folders: a kmod package builds only what kmod.modules lists`, where: r.reason.where, feature: r.feature.name, hint: `add kmod.modules: { ${r.feature.name}: [drivers/...] }` });
        }
      }
    },
  });
  const { resolved } = stages;
  if (!stages.merged) return done({ resolved });
  const merged = stages.merged;
  for (const a of moduleOptions(merged)) {
    if (!a.options.length) findings.push({ code: 'W_KMOD_NO_MODULE_OPTION', severity: 'warning', message: `no feature asks for a module (=m) on ${a.arch}: the build compiles only what the folders' Makefiles build by default`, where: variant.arches.where, arch: a.arch });
  }
  const patches = outputPatches(resolved);
  checks.kconfig = 'skipped: a kmod builds against kernel-devel; its config is the kernel\'s';
  const files = new Map<string, Buffer | string>();
  for (const p of patches) files.set(p.file, p.text);
  const specFile = `kmod-${kmodName(variant)}.spec`;
  const boundary = new SpecBoundary();
  const context = buildKmodSpecContext(variant, resolved, patches, merged, KPLAY_VERSION, root, boundary);
  findings.push(...boundary.findings);
  if (exitCodeForFindings(findings) === 2) return done({ resolved, merged, patches });
  files.set(specFile, renderTemplate('kmod.spec.njk', context));
  const manifest = {
    kplay: KPLAY_VERSION,
    variant: { name: variant.name, type: 'kmod' },
    kmod: { kernelVersion: variant.base.kernelVersion, stableKabi: variant.base.stableKabi, source: variant.base.source.url },
    features: resolved.order.map((r) => r.feature.name),
    checks,
    outputs: [...files.entries()].map(([file, content]) => ({ file, sha256: sha256(content) })).sort((a, b) => a.file.localeCompare(b.file)),
  };
  files.set('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  const outDir = path.resolve(opts.out ?? path.join(root, 'out', variant.name));
  return done({ resolved, merged, patches, outDir, files, specFile });
}
