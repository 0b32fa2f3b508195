import type { KmodBase, Variant } from '../../model/variant.js';

/**
 * The kmod variant built for another kernel-devel (kplay track, kplay matrix): kernel-version and
 * its upstream part replaced, and the old version-release replaced in the source URL and topdir
 * (`linux-5.14.0-570.el9.tar.xz` → `linux-5.14.0-580.el9.tar.xz`); the old digest is dropped when
 * the URL changed; with `changelogText`, that rebuild's changelog entry on top. Locations still
 * point at the variant's lines.
 */
export function withKmodKernel(variant: Variant<KmodBase>, kernelVersion: string, changelogText?: string): Variant<KmodBase> {
  const old = variant.base.kernelVersion;
  if (old === kernelVersion) return variant;
  // the rebuild's own changelog entry, as kplay track writes it into the variant (same date, author, kernel)
  const changelog = changelogText
    ? [
        {
          date: new Date().toISOString().slice(0, 10),
          author: variant.changelog[0]?.author ?? 'kplay track',
          kernel: kernelVersion,
          text: changelogText,
        },
        ...variant.changelog,
      ]
    : variant.changelog;
  const url = variant.base.source.url.split(old).join(kernelVersion);
  const { sha256, ...source } = variant.base.source;
  return {
    ...variant,
    changelog,
    base: {
      ...variant.base,
      kernelVersion,
      version: kernelVersion.split('-')[0]!,
      source: {
        ...source,
        url,
        topdir: source.topdir.split(old).join(kernelVersion),
        ...(sha256 && url === variant.base.source.url ? { sha256 } : {}),
      },
    },
  };
}
