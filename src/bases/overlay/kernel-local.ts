import { formatConfigLine } from '../../config/config-value.js';
import type { ConfigRequest } from '../../model/types.js';
import type { DerivedLine } from './config-provenance.js';
import { overlayBlock, stripOverlayBlocks } from './overlay-markers.js';

/**
 * kernel-local with the variant's every-arch options. merge.py keeps the first occurrence of a
 * symbol, so kplay's block goes first; lines already in the file stay below it. An earlier
 * overlay's block is replaced.
 */
export function overlayKernelLocal(
  original: string,
  variantName: string,
  requests: readonly ConfigRequest[],
  place: (r: ConfigRequest) => string,
  derived: readonly DerivedLine[] = [],
): string {
  const kept = stripOverlayBlocks(original.replace(/\n$/, '').split('\n')).filter((l, i, all) => l !== '' || i < all.length - 1);
  const block =
    requests.length || derived.length
      ? overlayBlock(`options of ${variantName}`, [
          ...requests.flatMap((r) => [`# ${r.origin.kind} ${r.origin.name}: ${place(r)}`, formatConfigLine(r.symbol, r.value)]),
          ...derived.flatMap((d) => [`# ${d.why}`, d.line]),
        ])
      : [];
  const lines = [...block, ...kept];
  return lines.length ? `${lines.join('\n')}\n` : '';
}
