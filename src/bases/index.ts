import type { KmodBase, Variant, VanillaVariant, VariantBase } from '../model/variant.js';
import type { BaseKind } from './base-kind.js';
import { kmodKind } from './kmod/kmod-kind.js';
import { overlayKind } from './overlay/overlay-kind.js';
import { vanillaKind } from './vanilla/vanilla-kind.js';

export type { BaseKind, BaseOverride, BaseSettingContext, ComposeOptions, ComposeResult, ReleaseFollowing } from './base-kind.js';

/**
 * Every base kind kplay knows, most specific first (a variant file selects the first that
 * `selects` it; vanilla is the default). A new base kind (Debian, RHEL, a git tree) adds a folder
 * under src/bases/ and one line here.
 */
export const BASE_KINDS: ReadonlyArray<BaseKind> = [kmodKind, overlayKind, vanillaKind];

/** The kind a variant file selects, from its keys with `extends` applied. */
export function baseKindForSettings(data: Record<string, unknown>): BaseKind {
  return BASE_KINDS.find((k) => k.selects(data)) ?? vanillaKind;
}

/** The kind of a loaded variant's base. */
export function baseKindOf<B extends VariantBase>(variant: Variant<B>): BaseKind<B> {
  const kind = BASE_KINDS.find((k) => k.baseKinds.includes(variant.base.kind));
  if (!kind) throw new Error(`no base kind handles base.kind ${variant.base.kind}`);
  return kind as unknown as BaseKind<B>;
}

/** The variant when it builds out-of-tree module packages (`type: kmod`), else undefined. */
export function kmodVariant(variant: Variant): Variant<KmodBase> | undefined {
  return baseKindOf(variant) === (kmodKind as unknown as BaseKind) ? (variant as Variant<KmodBase>) : undefined;
}

/** The variant when its base follows kernel.org releases (what explain, matrix and track work on), else undefined. */
export function kernelOrgVariant(variant: Variant): VanillaVariant | undefined {
  return baseKindOf(variant).releases.by === 'kernel.org' ? (variant as VanillaVariant) : undefined;
}
