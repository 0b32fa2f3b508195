/**
 * Lines kplay inserts into a distribution spec sit between marker comments, so a later overlay can
 * take them out again and start from the distribution's own text: overlaying twice is idempotent.
 * Replaced lines (buildid, Name:) are written so that replacing them again gives the same line.
 */
const BEGIN = '# kplay-overlay begin';
const END = '# kplay-overlay end';

const IN_PLACE_OF = ', in place of: ';

/**
 * The marked block kplay inserts: `# kplay-overlay begin <what>`, the lines, `# kplay-overlay end <what>`.
 * With `inPlaceOf`, the block replaces that distribution line, which its first line keeps
 * (`# kplay-overlay begin buildid, in place of: %define buildid 1`) so removing the block restores it.
 */
export function overlayBlock(what: string, lines: string[], inPlaceOf?: string): string[] {
  return [`${BEGIN} ${what}${inPlaceOf !== undefined ? `${IN_PLACE_OF}${inPlaceOf}` : ''}`, ...lines, `${END} ${what}`];
}

/** The first body line of the %changelog entry kplay adds (how a later overlay recognises it). */
export const CHANGELOG_MARK = '- kplay overlay';

/** Remove every marked block, and kplay's %changelog entry, restoring the lines around them. */
export function stripOverlayBlocks(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of lines) {
    if (!inBlock && line.startsWith(BEGIN)) {
      inBlock = true;
      const replaced = line.indexOf(IN_PLACE_OF);
      if (replaced >= 0) out.push(line.slice(replaced + IN_PLACE_OF.length));
      continue;
    }
    if (inBlock) {
      if (line.startsWith(END)) inBlock = false;
      continue;
    }
    out.push(line);
  }
  return stripChangelogEntry(out);
}

function stripChangelogEntry(lines: string[]): string[] {
  const at = lines.findIndex((l) => l.trim() === '%changelog');
  if (at < 0) return lines;
  const header = at + 1;
  if (!lines[header]?.startsWith('* ') || !lines[header + 1]?.startsWith(CHANGELOG_MARK)) return lines;
  let end = header + 1;
  while (end < lines.length && lines[end] !== '' && !lines[end]!.startsWith('* ')) end++;
  if (lines[end] === '') end++;
  return [...lines.slice(0, header), ...lines.slice(end)];
}
