import type { Finding, RelatedLocation } from '../findings/finding.js';
import { at } from '../findings/finding.js';
import type { SectionFailure } from './apply-file-patch.js';
import { applyHunk, firstMismatch, hunkSides } from './apply-hunk.js';
import { describeLine, lineRange } from './describe-lines.js';
import { FileImage } from './file-image.js';
import type { FilePatch, Hunk, ParsedSeriesEntry } from './patch-types.js';
import { reverseHunk } from './reverse-patch.js';
import type { FileChange } from './series-history.js';

function hunkTitle(h: Hunk, path: string): string {
  const header = `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.section ? ` ${h.section}` : ''}`;
  return `hunk #${h.index} of ${path} (${header})`;
}

/** The finding for a patch that does not apply, with the earlier patch to blame when there is one. */
export function explainFailure(
  entry: ParsedSeriesEntry,
  fp: FilePatch,
  failure: SectionFailure,
  history: ReadonlyMap<string, FileChange[]>,
): Finding {
  const path = (fp.oldPath ?? fp.newPath)!;
  const related: RelatedLocation[] = [];
  let message: string;
  let where = at(entry.file, fp.patchLine);
  let hint: string | undefined;
  const changes = history.get(path) ?? [];
  switch (failure.kind) {
    case 'hunk': {
      const h = failure.hunk;
      where = at(entry.file, h.patchLine);
      const blame = blameEarlierChange(h, changes);
      const mismatch = firstMismatch(failure.image, h, failure.expectedAt);
      const { pre } = hunkSides(h);
      const expected = lineRange(failure.expectedAt, pre.length);
      let found: string;
      if (!mismatch) found = `its ${expected} are there but ${h.index > 1 ? 'overlap an earlier hunk' : 'cannot be matched'}`;
      else if (mismatch.found === undefined)
        found = `the hunk at line ${h.oldStart} (@@ -${h.oldStart}) did not match: ${path} has only ${failure.image.lineCount} lines in this base (the patch was made against a longer version of it)`;
      else
        found = `the hunk at line ${h.oldStart} (@@ -${h.oldStart}) did not match: line ${mismatch.line + 1} should be ${describeLine(mismatch.expected)} but is ${describeLine(mismatch.found)}`;
      const near = pre.length ? nearestMatch(failure.image.lines, pre) : undefined;
      if (mismatch && near && near.agree > 0 && near.agree < pre.length)
        found += `; nearest match: ${lineRange(near.at, pre.length)} (${near.agree} of ${pre.length} lines agree)`;
      message = `${hunkTitle(h, path)} does not apply: ${found}`;
      const reverted = FileImage.fromText(failure.image.text());
      const provable = h.lines.some((l) => l.kind !== '-');
      if (provable && applyHunk(reverted, reverseHunk(h)).applied) message += '; the file already contains the change of this hunk';
      if (blame) {
        message += `: ${blame.change.entry.file} (feature ${blame.change.entry.feature}) changes ${blame.lines} of ${path} that ${entry.file} (feature ${entry.feature}) expects`;
        related.push({
          message: `${blame.change.entry.file} (feature ${blame.change.entry.feature}) changed ${blame.lines} of ${path} here`,
          where: at(blame.change.entry.file, blame.hunk?.patchLine ?? 0),
        });
        hint =
          blame.change.entry.feature === entry.feature
            ? `refresh ${entry.file} on top of ${blame.change.entry.file}`
            : `features ${blame.change.entry.feature} and ${entry.feature} change the same code: rebase one patch on the other, or declare the features as conflicting`;
      } else {
        hint = `the base source differs from what the patch was made against: refresh the patch for this base; when feature ${entry.feature} serves several kernels, keep this kernel's copy in its patches/<major.minor>/ folder (or a series line with kernel: RANGE), see docs/patches.md`;
      }
      break;
    }
    case 'missing': {
      const gone = [...changes].reverse().find((c) => c.removed);
      message = `${entry.file} changes ${path}, which does not exist in the base source`;
      if (gone) {
        message = `${entry.file} changes ${path}, which ${gone.entry.file} deleted or renamed`;
        related.push({ message: `${gone.entry.file} (feature ${gone.entry.feature}) removes ${path}`, where: at(gone.entry.file, 0) });
      }
      break;
    }
    case 'exists': {
      const made = history.get(failure.path)?.at(-1);
      message = `${entry.file} creates ${failure.path}, which already exists${made ? ` (created or changed by ${made.entry.file})` : ' in the base source'}`;
      if (made)
        related.push({
          message: `${made.entry.file} (feature ${made.entry.feature}) writes ${failure.path}`,
          where: at(made.entry.file, 0),
        });
      break;
    }
    case 'not-emptied':
      message = `${entry.file} deletes ${path}, but the file has content the patch does not remove`;
      break;
  }
  return { code: 'E_PATCH_APPLY', severity: 'error', message, where, related, feature: entry.feature, ...(hint ? { hint } : {}) };
}

/**
 * Where the hunk's preimage agrees with the file on the most lines (the first such place): what a
 * person refreshing the patch looks at first. Bounded, so a huge file costs at most ~2M compares.
 */
function nearestMatch(lines: readonly string[], pre: readonly string[]): { at: number; agree: number } | undefined {
  if (lines.length * pre.length > 2_000_000) return undefined;
  let best: { at: number; agree: number } | undefined;
  for (let at = 0; at + pre.length <= lines.length; at++) {
    let agree = 0;
    for (let i = 0; i < pre.length; i++) if (lines[at + i] === pre[i]) agree++;
    if (!best || agree > best.agree) best = { at, agree };
  }
  return best;
}

/**
 * The latest earlier change to the file after which the hunk stopped applying: the hunk applies
 * to the file as it was before that change, but not after.
 */
function blameEarlierChange(h: Hunk, changes: readonly FileChange[]): { change: FileChange; hunk?: Hunk; lines: string } | undefined {
  for (let i = changes.length - 1; i >= 0; i--) {
    const change = changes[i]!;
    if (change.before === undefined) continue;
    const trial = FileImage.fromText(change.before);
    const placed = applyHunk(trial, h);
    if (!placed.applied) continue;
    const wanted = { first: placed.at, count: placed.removed };
    const hit = change.hunks.find((a) => a.first < wanted.first + wanted.count && wanted.first < a.first + a.count);
    if (!hit) return { change, lines: lineRange(wanted.first, wanted.count) };
    const first = Math.max(hit.changedFirst, wanted.first);
    const end = Math.min(hit.changedFirst + hit.changedCount, wanted.first + wanted.count);
    if (end <= first) return { change, hunk: hit.hunk, lines: lineRange(hit.changedFirst, hit.changedCount) };
    return { change, hunk: hit.hunk, lines: lineRange(first, end - first) };
  }
  return undefined;
}
