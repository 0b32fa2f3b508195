import type { KmodBase, Variant } from '../../model/variant.js';

/**
 * The kmod variant built for another kernel-devel (kplay track, kplay matrix): kernel-version and
 * its upstream part replaced, and the old version-release replaced in the source URL and topdir
 * (`linux-5.14.0-570.el9.tar.xz` → `linux-5.14.0-580.el9.tar.xz`); the old digest is dropped when
 * the URL changed. Locations still point at the variant's lines.
 */
export function withKmodKernel(variant: Variant<KmodBase>, kernelVersion: string): Variant<KmodBase> {
  const old = variant.base.kernelVersion;
  if (old === kernelVersion) return variant;
  const url = variant.base.source.url.split(old).join(kernelVersion);
  const { sha256, ...source } = variant.base.source;
  return {
    ...variant,
    base: {
      ...variant.base,
      kernelVersion,
      version: kernelVersion.split('-')[0]!,
      source: { ...source, url, topdir: source.topdir.split(old).join(kernelVersion), ...(sha256 && url === variant.base.source.url ? { sha256 } : {}) },
    },
  };
}
