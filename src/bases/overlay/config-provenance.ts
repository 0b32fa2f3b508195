import { formatConfigLine } from '../../config/config-value.js';
import type { ConfigRequest } from '../../model/types.js';
import { overlayBlock, stripOverlayBlocks } from './overlay-markers.js';
import { configLineSymbol, readConfigLines, setConfigValues } from './set-config-values.js';

/** A line kplay adds that nobody asked for by name: a new option a request exposed, or olddefconfig's value of a line a request changed. */
export interface DerivedLine {
  /** The config line as olddefconfig writes it. */
  line: string;
  /** Why (the comment after `# kplay: <line>`). */
  why: string;
}

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
  derived: readonly DerivedLine[] = [],
): string {
  if (!requests.length && !derived.length) return original;
  const trailingNewline = original.endsWith('\n') || original === '';
  const kept = stripOverlayBlocks(original.replace(/\n$/, '').split('\n')).join('\n');
  const base = kept === '' ? '' : `${kept}\n`;
  const present = readConfigLines(base);
  const inPlace = new Map(requests.filter((r) => present.has(r.symbol)).map((r) => [r.symbol, r.value]));
  const derivedOf = new Map(derived.map((d) => [configLineSymbol(d.line)!, d]));
  const edited = setConfigValues(base, inPlace)
    .split('\n')
    .map((line) => {
      const sym = configLineSymbol(line);
      return sym !== undefined && derivedOf.has(sym) && !inPlace.has(sym) ? derivedOf.get(sym)!.line : line;
    })
    .join('\n');
  const block = overlayBlock(`options of ${variantName}`, [
    ...requests.map(
      (r) => `# kplay: ${formatConfigLine(r.symbol, r.value).replace(/^# /, '')} (${r.origin.kind} ${r.origin.name}: ${place(r)})`,
    ),
    ...derived.map((d) => `# kplay: ${d.line.replace(/^# /, '')} (${d.why})`),
    ...requests.filter((r) => !present.has(r.symbol)).map((r) => formatConfigLine(r.symbol, r.value)),
    ...derived.filter((d) => !present.has(configLineSymbol(d.line)!)).map((d) => d.line),
  ]);
  const text = `${edited}${block.join('\n')}`;
  return trailingNewline ? `${text}\n` : text;
}
