import type { FileImage } from './file-image.js';
import { lineHash } from './file-image.js';
import type { Hunk } from './patch-types.js';

/** Where a hunk went, or why it could not. Line numbers are 0-based indexes into the image. */
export type HunkPlacement =
  | { applied: true; at: number; expectedAt: number; offset: number; fuzz: number; removed: number; inserted: number }
  | { applied: false; expectedAt: number };

interface Side {
  lines: string[];
  hashes: number[];
  text: string;
}

function side(lines: string[]): Side {
  return { lines, hashes: lines.map(lineHash), text: lines.join('') };
}

/** The old (context + removed) and new (context + added) lines of a hunk. */
export function hunkSides(h: Hunk): { pre: string[]; post: string[] } {
  const pre: string[] = [];
  const post: string[] = [];
  for (const l of h.lines) {
    if (l.kind !== '+') pre.push(l.text);
    if (l.kind !== '-') post.push(l.text);
  }
  return { pre, post };
}

/**
 * Does `pre` match the image at line `lno`? git apply's rule: no line there was produced by an
 * earlier hunk, line hashes agree, and the bytes of the preimage equal the image's bytes from
 * that line on (exactly at the end of the file when `matchEnd`).
 */
function matchesAt(
  img: FileImage,
  offsets: number[],
  text: string,
  pre: Side,
  lno: number,
  matchBeginning: boolean,
  matchEnd: boolean,
): boolean {
  const n = pre.lines.length;
  if (n + lno > img.lineCount) return false;
  if (matchEnd && n + lno !== img.lineCount) return false;
  if (matchBeginning && lno !== 0) return false;
  for (let i = 0; i < n; i++) {
    if (img.patched[lno + i] || img.hashes[lno + i] !== pre.hashes[i]) return false;
  }
  const current = offsets[lno]!;
  const total = offsets[img.lineCount]!;
  if (matchEnd ? current + pre.text.length !== total : current + pre.text.length > total) return false;
  return text.startsWith(pre.text, current);
}

/**
 * Search for the preimage from line `line` outwards (line, +1, -1, +2, -2, ...) as git apply
 * does; a hunk that must match the beginning or the end is only tried there.
 */
function findPosition(img: FileImage, pre: Side, line: number, matchBeginning: boolean, matchEnd: boolean): number {
  const offsets = img.offsets();
  const text = img.text();
  if (matchBeginning) line = 0;
  else if (matchEnd) line = img.lineCount - pre.lines.length;
  if (line < 0 || line > img.lineCount) line = img.lineCount;
  let backwards = line;
  let forwards = line;
  let current = line;
  for (let i = 0; ; i++) {
    if (matchesAt(img, offsets, text, pre, current, matchBeginning, matchEnd)) return current;
    for (;;) {
      if (backwards === 0 && forwards === img.lineCount) return -1;
      if (i & 1) {
        if (backwards === 0) {
          i++;
          continue;
        }
        current = --backwards;
      } else {
        if (forwards === img.lineCount) {
          i++;
          continue;
        }
        current = ++forwards;
      }
      break;
    }
  }
}

/**
 * Apply one hunk to the image in place (git apply's rules: exact context, offsets allowed, a hunk
 * starting at line 0/1 must match the beginning, one without trailing context the end).
 */
export function applyHunk(img: FileImage, h: Hunk): HunkPlacement {
  const { pre, post } = hunkSides(h);
  const matchBeginning = h.oldStart === 0 || h.oldStart === 1;
  const matchEnd = h.trailing === 0;
  const pos = h.newStart ? h.newStart - 1 : 0;
  const exact = findPosition(img, side(pre), pos, matchBeginning, matchEnd);
  if (exact >= 0) {
    img.splice(exact, pre.length, post);
    return { applied: true, at: exact, expectedAt: pos, offset: exact - pos, fuzz: 0, removed: pre.length, inserted: post.length };
  }
  return { applied: false, expectedAt: pos };
}

/** The first line of the preimage that differs from the image at the expected position. */
export function firstMismatch(img: FileImage, h: Hunk, expectedAt: number): { line: number; expected: string; found?: string } | undefined {
  const { pre } = hunkSides(h);
  const start = Math.max(0, Math.min(expectedAt, img.lineCount));
  for (let i = 0; i < pre.length; i++) {
    const found = img.lines[start + i];
    if (found !== pre[i]) return { line: start + i, expected: pre[i]!, found };
  }
  return undefined;
}
