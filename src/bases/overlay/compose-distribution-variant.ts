import type { ComposeOptions, ComposeResult } from '../../compose/compose-variant.js';
import type { Finding } from '../../findings/finding.js';
import type { KmodBase, OverlayBase, Variant } from '../../model/variant.js';
import { composeOverlay } from './compose-overlay.js';
import { composeKmod } from '../kmod/compose-kmod.js';

/** The one entry point compose-variant.ts calls for every base that is not vanilla. */
export async function composeDistributionVariant(variant: Variant, root: string, opts: ComposeOptions, findings: Finding[]): Promise<ComposeResult> {
  if (variant.base.kind === 'kernel-devel') return composeKmod(variant as Variant<KmodBase>, root, opts, findings);
  return composeOverlay(variant as Variant<OverlayBase>, root, opts, findings);
}
