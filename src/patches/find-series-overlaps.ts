import type { Finding } from '../findings/finding.js';
import { at } from '../findings/finding.js';
import { lineRange } from './describe-lines.js';
import type { Hunk, ParsedSeriesEntry } from './patch-types.js';

/** Lines a hunk really changes (its context left out), 0-based and half-open. */
interface Span {
  start: number;
  end: number;
}

interface Region extends Span {
  entry: ParsedSeriesEntry;
  hunk: Hunk;
}

/** The changed lines of a hunk on its old or new side; an insertion is an empty span at its point. */
export function changedSpan(h: Hunk, side: 'old' | 'new'): Span {
  const start = side === 'old' ? h.oldStart : h.newStart;
  const count = side === 'old' ? h.oldLines : h.newLines;
  const first = count === 0 ? start : start - 1;
  const sideLength = h.lines.filter((l) => l.kind === ' ' || l.kind === (side === 'old' ? '-' : '+')).length;
  let lead = 0;
  while (lead < h.lines.length && h.lines[lead]!.kind === ' ') lead++;
  let trail = 0;
  for (let i = h.lines.length - 1; i >= lead && h.lines[i]!.kind === ' '; i--) trail++;
  return { start: first + lead, end: Math.max(first + lead, first + sideLength - trail) };
}

/**
 * Changed spans overlap when they share a line; an insertion (empty span) overlaps a change it
 * touches or falls inside, or another insertion at the same place: a patch made against the base
 * there no longer finds its context once the other is applied.
 */
function overlaps(a: Span, b: Span): boolean {
  if (a.start === a.end) return b.start <= a.start && a.start <= b.end;
  if (b.start === b.end) return a.start <= b.start && b.start <= a.end;
  return Math.max(a.start, b.start) < Math.min(a.end, b.end);
}

/** Map a line position of the file before a section to the file after it, by its hunks' shifts. */
function shiftPosition(x: number, hunks: readonly Hunk[]): number {
  let delta = 0;
  for (const h of hunks) {
    const oldFirst = h.oldLines === 0 ? h.oldStart : h.oldStart - 1;
    const newFirst = h.newLines === 0 ? h.newStart : h.newStart - 1;
    if (x >= oldFirst + h.oldLines) {
      delta = newFirst + h.newLines - (oldFirst + h.oldLines);
      continue;
    }
    if (x > oldFirst) return newFirst + Math.min(x - oldFirst, h.newLines);
    break;
  }
  return x + delta;
}

function describeSpan(s: Span): string {
  return lineRange(s.start, s.end - s.start);
}

/**
 * Different features whose patches change overlapping lines of one file: `E_PATCH_OVERLAP`, found
 * from the patches alone (no base source). Each patch's line numbers are read in the file as the
 * earlier patches of the series left it, so changes that earlier hunks shifted are still compared
 * in the right place.
 */
export function findSeriesOverlaps(entries: readonly ParsedSeriesEntry[]): Finding[] {
  const regions = new Map<string, Region[]>();
  const findings: Finding[] = [];
  for (const entry of entries) {
    for (const fp of entry.patch?.files ?? []) {
      if (fp.binary) continue;
      const source = fp.isNew === true ? undefined : (fp.oldPath ?? fp.newPath)!;
      const target = (fp.newPath ?? fp.oldPath)!;
      const existing = (source !== undefined ? regions.get(source) : undefined) ?? [];
      for (const h of fp.hunks) {
        const span = changedSpan(h, 'old');
        const other = existing.find((r) => r.entry.feature !== entry.feature && overlaps(span, r));
        if (!other) continue;
        findings.push(overlapFinding(entry, h, span, other, source ?? target));
      }
      const moved = existing.map((r) => ({ ...r, start: shiftPosition(r.start, fp.hunks), end: shiftPosition(r.end, fp.hunks) }));
      const added = fp.hunks.map((h) => ({ ...changedSpan(h, 'new'), entry, hunk: h }));
      if (source !== undefined) regions.delete(source);
      if (fp.isDelete === true) continue;
      regions.set(target, [...(fp.isCopy ? [] : moved), ...added]);
      if (fp.isCopy && source !== undefined) regions.set(source, existing);
    }
  }
  return findings;
}

function overlapFinding(entry: ParsedSeriesEntry, h: Hunk, span: Span, other: Region, path: string): Finding {
  const both = { start: Math.max(span.start, other.start), end: Math.min(span.end, other.end) };
  const lines = both.end > both.start ? describeSpan(both) : describeSpan(span.end > span.start ? span : other);
  return {
    code: 'E_PATCH_OVERLAP',
    severity: 'error',
    message:
      `${entry.file} (feature ${entry.feature}) and ${other.entry.file} (feature ${other.entry.feature}) both change ${lines} of ${path}: ` +
      `hunk #${h.index} overlaps hunk #${other.hunk.index} of ${other.entry.file}`,
    where: at(entry.file, h.patchLine),
    related: [
      {
        message: `hunk #${other.hunk.index} of ${other.entry.file} (feature ${other.entry.feature}) changes ${describeSpan(other)} of ${path}`,
        where: at(other.entry.file, other.hunk.patchLine),
      },
    ],
    feature: entry.feature,
    hint: `the features ${other.entry.feature} and ${entry.feature} change the same code: merge the changes into one feature, rebase one patch on the other, or declare the features as conflicting`,
  };
}
