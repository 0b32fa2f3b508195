import { applyHunk, type HunkPlacement } from './apply-hunk.js';
import { FileImage } from './file-image.js';
import type { FilePatch, Hunk } from './patch-types.js';

export interface HunkOutcome {
  hunk: Hunk;
  placement: HunkPlacement;
}

/** Why a section could not be applied. */
export type SectionFailure =
  | { kind: 'hunk'; hunk: Hunk; expectedAt: number; image: FileImage }
  | { kind: 'missing'; path: string }
  | { kind: 'exists'; path: string }
  | { kind: 'not-emptied'; path: string };

export type SectionOutcome =
  { applied: true; result: string | null; hunks: HunkOutcome[] } | { applied: false; failure: SectionFailure; hunks: HunkOutcome[] };

/**
 * Apply one file section with `git apply`'s rules to the file's current content (`undefined`: the file does not exist).
 * The result is the new content, or null when the section deletes the file. Pure: no I/O.
 */
export function applyFilePatch(current: string | undefined, fp: FilePatch): SectionOutcome {
  const path = (fp.oldPath ?? fp.newPath)!;
  let creating = fp.isNew === true;
  if (fp.isNew === undefined && current === undefined) creating = true; // traditional diff of a new file
  if (creating && current !== undefined) return { applied: false, failure: { kind: 'exists', path: fp.newPath ?? path }, hunks: [] };
  if (!creating && current === undefined) return { applied: false, failure: { kind: 'missing', path }, hunks: [] };
  const image = FileImage.fromText(creating ? '' : current!);
  const hunks: HunkOutcome[] = [];
  for (const hunk of fp.hunks) {
    const placement = applyHunk(image, hunk);
    hunks.push({ hunk, placement });
    if (!placement.applied) {
      return { applied: false, failure: { kind: 'hunk', hunk, expectedAt: placement.expectedAt, image }, hunks };
    }
  }
  const text = image.text();
  if (fp.isDelete === true) {
    if (text.length) return { applied: false, failure: { kind: 'not-emptied', path }, hunks };
    return { applied: true, result: null, hunks };
  }
  return { applied: true, result: text, hunks };
}
