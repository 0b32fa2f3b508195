import type { Finding } from '../findings/finding.js';
import { parsePatch } from './parse-patch.js';
import { pathsTouchedBy, type ParsedSeriesEntry, type SeriesPatch } from './patch-types.js';

/** Parse every patch of a series; findings carry the patch's feature. */
export function parseSeries(series: readonly SeriesPatch[]): { entries: ParsedSeriesEntry[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const entries = series.map((s) => {
    const parsed = parsePatch(s.text, s.file);
    for (const f of parsed.findings) findings.push({ ...f, feature: s.feature });
    return { ...s, patch: parsed.patch };
  });
  return { entries, findings };
}

/** Every tree path the parsed series reads or writes (what to take out of a tarball). */
export function pathsTouchedBySeries(entries: readonly ParsedSeriesEntry[]): Set<string> {
  const paths = new Set<string>();
  for (const e of entries) if (e.patch) for (const p of pathsTouchedBy(e.patch)) paths.add(p);
  return paths;
}
