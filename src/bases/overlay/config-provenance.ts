import { formatConfigLine } from '../../config/config-value.js';
import type { ConfigRequest } from '../../model/types.js';
import { overlayBlock, stripOverlayBlocks } from './overlay-markers.js';
import { readConfigLines, setConfigValues } from './set-config-values.js';

/**
 * A distribution config Source with the variant's values: a symbol the file sets is changed where
 * it stands, a symbol it lacks is added at the end inside a marked block, and the block lists, as
 * comments, every value kplay set and who asked for it. Every other byte stays the distribution's.
 * An earlier overlay's block is removed first, so overlaying again gives the same text.
 */
export function configWithProvenance(
  original: string,
  variantName: string,
  requests: readonly ConfigRequest[],
  place: (r: ConfigRequest) => string,
): string {
  if (!requests.length) return original;
  const trailingNewline = original.endsWith('\n') || original === '';
  const kept = stripOverlayBlocks(original.replace(/\n$/, '').split('\n')).join('\n');
  const base = kept === '' ? '' : `${kept}\n`;
  const present = readConfigLines(base);
  const inPlace = new Map(requests.filter((r) => present.has(r.symbol)).map((r) => [r.symbol, r.value]));
  const edited = setConfigValues(base, inPlace);
  const block = overlayBlock(`options of ${variantName}`, [
    ...requests.map(
      (r) => `# kplay: ${formatConfigLine(r.symbol, r.value).replace(/^# /, '')} (${r.origin.kind} ${r.origin.name}: ${place(r)})`,
    ),
    ...requests.filter((r) => !present.has(r.symbol)).map((r) => formatConfigLine(r.symbol, r.value)),
  ]);
  const text = `${edited}${block.join('\n')}`;
  return trailingNewline ? `${text}\n` : text;
}
