import type { VanillaBase } from '../../model/variant.js';
import { collectUrlSources, placeCollectedSources, type UrlSource } from '../../rpm/srpm-sources.js';
import type { BaseKind } from '../base-kind.js';
import { tarballSource } from '../tarball-source.js';
import { withBase } from './base-override.js';
import { loadVanillaBase } from './load-vanilla-base.js';

/** `base.kind: vanilla`: a kernel.org release, its tarball and per-arch base configs. */
export const vanillaKind: BaseKind<VanillaBase> = {
  name: 'vanilla',
  baseKinds: ['vanilla'],
  variantType: 'kernel',
  requiredKeys: ['summary', 'base', 'arches'],
  selects: (data) => data.type !== 'kmod' && (data.base as Record<string, unknown> | undefined)?.kind === 'vanilla',
  loadSettings: loadVanillaBase,
  releases: { by: 'kernel.org' },
  withRelease: withBase,
  async compose(variant, root, opts, findings) {
    const { composeVanilla } = await import('./compose-vanilla.js');
    return composeVanilla(variant, root, opts, findings);
  },
  collectSrpmSources(variant, sourcesDir) {
    // the tarball is the kernel source the SRPM's checks run against
    const wanted: UrlSource[] = [tarballSource(variant.base.source, variant.base.version, true)];
    for (const c of Object.values(variant.base.config))
      if (c?.kind === 'url')
        wanted.push({ url: c.url, sha256: c.sha256, ...(c.fileName !== undefined ? { fileName: c.fileName } : {}), where: c.where });
    return collectUrlSources(wanted, sourcesDir);
  },
  async placeSrpmSources(variant, outDir, sourcesDir, collected) {
    await placeCollectedSources(collected ?? (await this.collectSrpmSources(variant, sourcesDir))!, outDir);
    return {};
  },
  describeBase: (base) => ({ version: base.version, from: base.source.url }),
  signsInSpec: true,
  notComposedByCheck: () => undefined,
};
