import type { Variant } from '../../model/variant.js';

/** Another release for a vanilla variant's base: what `kplay matrix` and `kplay track` compose against. */
export interface BaseOverride {
  version: string;
  source?: { url: string; sha256?: string; topdir?: string };
}

/**
 * The variant with its base release replaced (vanilla bases only; others are returned as they are).
 * Locations still point at the variant's base, so findings about the base land on the line to edit.
 */
export function withBase(variant: Variant, override: BaseOverride): Variant {
  if (variant.base.kind !== 'vanilla') return variant;
  const major = override.version.split('.')[0];
  const url = override.source?.url ?? `https://cdn.kernel.org/pub/linux/kernel/v${major}.x/linux-${override.version}.tar.xz`;
  const { sha256: _old, ...source } = variant.base.source;
  return {
    ...variant,
    base: {
      ...variant.base,
      version: override.version,
      source: {
        ...source,
        url,
        ...(override.source?.sha256 ? { sha256: override.source.sha256 } : {}),
        topdir: override.source?.topdir ?? `linux-${override.version}`,
      },
    },
  };
}
