import type { KmodBase } from '../../model/variant.js';
import { collectUrlSources, placeCollectedSources } from '../../rpm/srpm-sources.js';
import type { BaseKind } from '../base-kind.js';
import { tarballSource } from '../tarball-source.js';
import { loadKmodBase } from './load-kmod-base.js';

/** `type: kmod`: out-of-tree module packages built against one kernel-devel (`kmod:` section). */
export const kmodKind: BaseKind<KmodBase> = {
  name: 'kmod',
  baseKinds: ['kernel-devel'],
  variantType: 'kmod',
  requiredKeys: ['summary', 'kmod', 'arches'],
  selects: (data) => data.type === 'kmod',
  async loadSettings(ctx) {
    if (ctx.data.base !== undefined)
      ctx.findings.push({
        code: 'E_SCHEMA',
        severity: 'error',
        message: "a kmod variant builds against kmod.kernel-version and takes no 'base'",
        where: ctx.whereSet(['base']),
      });
    return loadKmodBase(ctx.data.kmod as Record<string, unknown>, ctx);
  },
  releases: { by: 'own', what: 'kernel-devel build' },
  withRelease: (variant) => variant,
  async compose(variant, root, opts, findings) {
    // loaded on demand: most composes never need the kmod code
    const { composeKmod } = await import('./compose-kmod.js');
    return composeKmod(variant, root, opts, findings);
  },
  collectSrpmSources(variant, sourcesDir) {
    // the module sources' tarball: srpm checks the module folders (and their Kconfig, for =y
    // options of the module itself) in it; with no kernel-devel nothing of it runs
    return collectUrlSources([{ ...tarballSource(variant.base.source, variant.base.version, true), key: 'kmod.source' }], sourcesDir);
  },
  srpmChecksOnlyRead: true,
  async placeSrpmSources(variant, outDir, sourcesDir, collected) {
    await placeCollectedSources(collected ?? (await this.collectSrpmSources(variant, sourcesDir))!, outDir);
    return {};
  },
  describeBase: (base) => ({ version: base.kernelVersion, from: base.source.url }),
  signsInSpec: false,
  notComposedByCheck: () => undefined,
};
