import type { FilePatch, Hunk, ParsedPatch } from './patch-types.js';

/** The hunk that undoes `h`: removals become additions and the old/new ranges swap. */
export function reverseHunk(h: Hunk): Hunk {
  return {
    ...h,
    oldStart: h.newStart,
    oldLines: h.newLines,
    newStart: h.oldStart,
    newLines: h.oldLines,
    lines: h.lines.map((l) => ({ kind: l.kind === '+' ? '-' : l.kind === '-' ? '+' : ' ', text: l.text })),
  };
}

/** The section that undoes `fp` (like `git apply -R`). */
export function reverseFilePatch(fp: FilePatch): FilePatch {
  return {
    ...fp,
    oldPath: fp.newPath,
    newPath: fp.oldPath,
    isNew: fp.isDelete,
    isDelete: fp.isNew,
    oldMode: fp.newMode ?? fp.oldMode,
    newMode: fp.newMode === undefined ? fp.newMode : fp.oldMode,
    hunks: fp.hunks.map(reverseHunk),
  };
}

/** The patch that undoes `p`; sections stay in order, as `git apply -R` applies them. */
export function reversePatch(p: ParsedPatch): ParsedPatch {
  return { ...p, files: p.files.map(reverseFilePatch) };
}
