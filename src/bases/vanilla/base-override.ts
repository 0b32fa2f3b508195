import type { VanillaVariant } from '../../model/variant.js';
import type { BaseOverride } from '../base-kind.js';

export type { BaseOverride };

/**
 * The variant with its base release replaced.
 * Locations still point at the variant's base, so findings about the base land on the line to edit.
 */
export function withBase(variant: VanillaVariant, override: BaseOverride): VanillaVariant {
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
