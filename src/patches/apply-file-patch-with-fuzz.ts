import type { HunkOutcome, SectionOutcome } from './apply-file-patch.js';
import { hunkSides } from './apply-hunk.js';
import { FileImage, splitLines } from './file-image.js';
import type { FilePatch, Hunk } from './patch-types.js';

/**
 * Apply one file section the way `patch -p1 -F<maxFuzz>` does (older distribution specs):
 * hunks are placed in order, each searched from where the patch says plus the offset the previous
 * hunks needed, never before the end of the previous hunk's change; a hunk that does not match
 * exactly is retried ignoring up to `maxFuzz` context lines at its ends (the end with less context
 * ignores fewer, and a hunk with less leading context than trailing must match at the start of
 * the file, as one with less trailing context must match at its end). Ignored context keeps the
 * file's lines. Like patch in a build (no terminal to ask), a section whose first hunk matches
 * reversed before it matches forward is refused. Pure: no I/O.
 */
export function applyFilePatchWithFuzz(current: string | undefined, fp: FilePatch, maxFuzz: number): SectionOutcome {
  const path = (fp.oldPath ?? fp.newPath)!;
  let creating = fp.isNew === true;
  if (fp.isNew === undefined && current === undefined) creating = true;
  if (creating && current !== undefined && current.length > 0)
    return { applied: false, failure: { kind: 'exists', path: fp.newPath ?? path }, hunks: [] };
  if (!creating && current === undefined) return { applied: false, failure: { kind: 'missing', path }, hunks: [] };
  const input = splitLines(creating ? '' : current!);
  const output: string[] = [];
  let lastFrozen = 0; // input lines already copied or removed (1-based count)
  let inOffset = 0;
  let outOffset = 0;
  const hunks: HunkOutcome[] = [];
  const copyTill = (line: number): boolean => {
    if (lastFrozen > line) return false; // misordered hunks
    while (lastFrozen < line) output.push(input[lastFrozen++]!);
    return true;
  };
  for (const h of fp.hunks) {
    const { pre, post } = hunkSides(h);
    const expectedAt = h.newStart ? h.newStart - 1 : 0;
    const context = Math.max(h.leading, h.trailing);
    const maxForHunk = Math.min(maxFuzz, context);
    const first = h.oldLines === 0 ? h.oldStart + 1 : h.oldStart;
    let where = 0;
    let fuzz = 0;
    let looksReversed = false;
    for (; fuzz <= maxForHunk; fuzz++) {
      const found = locateHunk(input, pre, h, first, inOffset, lastFrozen, fuzz);
      if (found) {
        where = found.where;
        inOffset = found.inOffset;
        break;
      }
      // patch's "Reversed (or previously applied) patch detected!": the first hunk of a file
      // matches backwards at this fuzz level; a build (no terminal to ask) skips the patch
      if (h === fp.hunks[0]) {
        const reversedFirst = h.newLines === 0 ? h.newStart + 1 : h.newStart;
        if (locateHunk(input, post, h, reversedFirst, inOffset, lastFrozen, fuzz)) {
          looksReversed = true;
          break;
        }
      }
    }
    if (looksReversed) where = 0;
    if (!where) {
      hunks.push({ hunk: h, placement: { applied: false, expectedAt } });
      return {
        applied: false,
        failure: { kind: 'hunk', hunk: h, expectedAt: Math.max(0, first - 1 + inOffset), image: FileImage.fromText(input.join('')) },
        hunks,
      };
    }
    const at = where - 1 + outOffset;
    if (!emitHunk(h, where, copyTill, output, () => lastFrozen++)) {
      hunks.push({ hunk: h, placement: { applied: false, expectedAt } });
      return { applied: false, failure: { kind: 'hunk', hunk: h, expectedAt, image: FileImage.fromText(input.join('')) }, hunks };
    }
    outOffset += post.length - pre.length;
    const used = fuzz > 0 ? fuzz : 0;
    hunks.push({
      hunk: h,
      placement: { applied: true, at, expectedAt, offset: at - expectedAt, fuzz: used, removed: pre.length, inserted: post.length },
    });
  }
  copyTill(input.length);
  const text = joinLikePatch(output);
  if (fp.isDelete === true) {
    if (text.length) return { applied: false, failure: { kind: 'not-emptied', path }, hunks };
    return { applied: true, result: null, hunks };
  }
  return { applied: true, result: text, hunks };
}

/** Where the hunk's pattern line 1 goes (1-based), or undefined. */
function locateHunk(
  input: readonly string[],
  pattern: readonly string[],
  h: Hunk,
  pchFirst: number,
  inOffset: number,
  lastFrozen: number,
  fuzz: number,
): { where: number; inOffset: number } | undefined {
  const firstGuess = pchFirst + inOffset;
  const patLines = pattern.length;
  const prefixContext = h.leading;
  const suffixContext = h.trailing;
  const context = Math.max(prefixContext, suffixContext);
  let prefixFuzz = fuzz + prefixContext - context;
  const suffixFuzz = fuzz + suffixContext - context;
  const inputLines = input.length;
  const maxWhere = inputLines - (patLines - suffixFuzz) + 1;
  const minWhere = lastFrozen + 1 - (prefixContext - prefixFuzz);
  const maxPosOffset = maxWhere - firstGuess;
  let maxNegOffset = firstGuess - minWhere;
  const maxOffset = Math.max(maxPosOffset, maxNegOffset);
  const matches = (offset: number, pf: number, sf: number): boolean => {
    let iline = firstGuess + offset + pf;
    for (let pline = 1 + pf; pline <= patLines - sf; pline++, iline++) {
      if (iline < 1 || iline > inputLines || input[iline - 1] !== pattern[pline - 1]) return false;
    }
    return true;
  };
  if (!patLines) return { where: firstGuess, inOffset };
  if (firstGuess <= maxNegOffset) maxNegOffset = firstGuess - 1;
  if (prefixFuzz < 0 && pchFirst <= 1) {
    // can only match the start of the file
    if (suffixFuzz < 0 && (patLines !== inputLines || prefixContext < lastFrozen)) return undefined;
    const offset = 1 - firstGuess;
    if (lastFrozen <= prefixContext && offset <= maxPosOffset && matches(offset, 0, suffixFuzz)) {
      return { where: firstGuess + offset, inOffset: inOffset + offset };
    }
    return undefined;
  } else if (prefixFuzz < 0) {
    prefixFuzz = 0;
  }
  if (suffixFuzz < 0) {
    // can only match the end of the file
    const offset = firstGuess - (inputLines - patLines + 1);
    if (offset <= maxNegOffset && matches(-offset, prefixFuzz, 0)) return { where: firstGuess - offset, inOffset: inOffset - offset };
    return undefined;
  }
  const minOffset = maxPosOffset < 0 ? firstGuess - maxWhere : maxNegOffset < 0 ? firstGuess - minWhere : 0;
  for (let offset = minOffset; offset <= maxOffset; offset++) {
    if (offset <= maxPosOffset && matches(offset, prefixFuzz, suffixFuzz))
      return { where: firstGuess + offset, inOffset: inOffset + offset };
    if (offset <= maxNegOffset && matches(-offset, prefixFuzz, suffixFuzz))
      return { where: firstGuess - offset, inOffset: inOffset - offset };
  }
  return undefined;
}

/** Write the hunk at `where`: removed lines are skipped, added lines written, context copied from the file. */
function emitHunk(h: Hunk, where: number, copyTill: (line: number) => boolean, output: string[], skipInputLine: () => void): boolean {
  let old = 1; // 1-based position in the hunk's old side
  const base = where - 1;
  for (const l of h.lines) {
    if (l.kind === '-') {
      if (!copyTill(base + old - 1)) return false;
      skipInputLine();
      old++;
    } else if (l.kind === '+') {
      if (!copyTill(base + old - 1)) return false;
      output.push(l.text);
    } else {
      old++;
    }
  }
  return true;
}

/** patch writes a newline after an unterminated line when more text follows it. */
function joinLikePatch(lines: readonly string[]): string {
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    out += l;
    if (i < lines.length - 1 && !l.endsWith('\n')) out += '\n';
  }
  return out;
}
