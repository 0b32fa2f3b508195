import { distributionMacros } from './distribution-macros.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { recordOutputFiles } from '../../compose/output-marker.js';
import { UsageError } from '../../findings/finding.js';
import { distributionTarball } from '../../rpm/srpm-sources.js';
import type { OverlayBase, Variant } from '../../model/variant.js';
import type { BaseKind } from '../base-kind.js';
import { DISTRIBUTIONS } from './distribution-defaults.js';
import { gatherLookasideSources } from './gather-lookaside-sources.js';
import { loadOverlayBase } from './load-overlay-base.js';
import { parseSourcesFile } from './sources-file.js';

/** The distribution's lookaside tarballs named by the dist-git `sources` file of an overlay output. */
async function gatherOverlaySources(
  variant: Variant<OverlayBase>,
  outDir: string,
  sourcesDir: string | undefined,
): Promise<Map<string, string> | undefined> {
  const sourcesFile = path.join(outDir, 'sources');
  let text: string;
  try {
    text = await readFile(sourcesFile, 'utf8');
  } catch {
    return undefined; // a dist-git without lookaside files
  }
  const entries = parseSourcesFile(text, sourcesFile).entries;
  const gathered = await gatherLookasideSources({
    entries,
    targetDir: outDir,
    lookasideBase: DISTRIBUTIONS[variant.base.kind].lookasideBase,
    pkg: variant.base.package,
    ...(sourcesDir ? { sourcesDir } : {}),
    sourcesFile,
  });
  if (gathered.findings.some((f) => f.severity === 'error')) throw new UsageError('lookaside sources do not match', gathered.findings);
  await recordOutputFiles(
    outDir,
    entries.map((e) => e.file).filter((f) => !f.includes('/')),
  );
  return gathered.origins;
}

/** `base.kind: fedora | centos-stream`: an overlay on the distribution's own kernel package (dist-git, checkout or SRPM). */
export const overlayKind: BaseKind<OverlayBase> = {
  name: 'overlay',
  baseKinds: Object.keys(DISTRIBUTIONS) as Array<OverlayBase['kind']>,
  variantType: 'kernel',
  requiredKeys: ['summary', 'base', 'arches'],
  selects: (data) => {
    const kind = (data.base as Record<string, unknown> | undefined)?.kind;
    return data.type !== 'kmod' && typeof kind === 'string' && Object.hasOwn(DISTRIBUTIONS, kind);
  },
  loadSettings: (ctx) => loadOverlayBase((ctx.data.base ?? {}) as Record<string, unknown>, ctx),
  releases: { by: 'own', what: 'distribution kernel package' },
  withRelease: (variant) => variant,
  async compose(variant, root, opts, findings) {
    // loaded on demand: most composes never need the overlay code or the Kconfig engine
    const { composeOverlay } = await import('./compose-overlay.js');
    const resolveConfig =
      opts.resolveConfig ??
      (opts.kernelSource ? (await import('../../compose/resolve-kconfig.js')).overlayConfigResolver(opts.kernelSource) : undefined);
    return composeOverlay(variant, root, { ...opts, ...(resolveConfig ? { resolveConfig } : {}) }, findings);
  },
  // the lookaside sources are named by the composed dist-git's `sources` file
  collectSrpmSources: () => Promise.resolve(undefined),
  async placeSrpmSources(variant, outDir, sourcesDir) {
    const origins = await gatherOverlaySources(variant, outDir, sourcesDir);
    // the distribution's tarball arrived with the lookaside sources: what a late check runs
    // against, when its bytes were downloaded from the distribution's lookaside (a tarball in the
    // package folder, or in --sources-dir, is whatever the variant's author put there)
    const tarball = await distributionTarball(outDir);
    if (!tarball) return {};
    const origin = origins?.get(path.basename(tarball));
    const lookaside = `${DISTRIBUTIONS[variant.base.kind].lookasideBase}/`;
    return { tarball, tarballTrusted: Boolean(origin?.startsWith(lookaside)) && !origin!.includes('%') };
  },
  // the SIG certificate goes into the spec's own trusted keys (signing-certificate.ts)
  describeBase: (base) => ({
    version: base.version,
    from: base.origin.kind === 'git' ? `${base.origin.url} ${base.origin.ref}` : base.origin.display,
  }),
  prepOptions: (specText, base) => ({ shAsBash: true, defines: distributionMacros(base.kind, specText) }),
  signsInSpec: true,
  notComposedByCheck(variant, file) {
    const base = variant.base;
    if (base.origin.kind !== 'git' || !/^[a-z+]+:\/\//.test(base.origin.url) || base.origin.url.startsWith('file://')) return undefined;
    return {
      code: 'N_REMOTE_BASE',
      severity: 'note',
      message: `${variant.name} was loaded but not composed: its base is the ${base.kind} dist-git at ${base.origin.url}, which check does not clone`,
      where: base.where,
      hint: `compose it with 'kplay compose ${path.relative(process.cwd(), file)} --dist-git <checkout>' to check it fully`,
    };
  },
};
