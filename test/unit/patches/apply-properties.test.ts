import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFilePatch } from '../../../src/patches/apply-file-patch.js';
import { applyFilePatchWithFuzz } from '../../../src/patches/apply-file-patch-with-fuzz.js';
import { parsePatch } from '../../../src/patches/parse-patch.js';
import { reverseFilePatch } from '../../../src/patches/reverse-patch.js';
import { propertyRuns } from '../../support/paths.js';

interface Edit {
  at: number;
  remove: number;
  add: string[];
}

/** A unified diff with 3 context lines, one hunk per edit (edits are far enough apart). */
function unifiedDiff(lines: string[], edits: Edit[]): { diff: string; result: string[] } {
  const out = ['--- a/f\n', '+++ b/f\n'];
  const result = [...lines];
  let delta = 0;
  for (const e of edits) {
    const start = Math.max(0, e.at - 3);
    const end = Math.min(lines.length, e.at + e.remove + 3);
    const before = lines.slice(start, e.at);
    const removed = lines.slice(e.at, e.at + e.remove);
    const after = lines.slice(e.at + e.remove, end);
    const oldCount = before.length + removed.length + after.length;
    const newCount = before.length + e.add.length + after.length;
    out.push(`@@ -${oldCount ? start + 1 : start},${oldCount} +${newCount ? start + 1 + delta : start + delta},${newCount} @@\n`);
    out.push(...before.map((l) => ` ${l}`), ...removed.map((l) => `-${l}`), ...e.add.map((l) => `+${l}`), ...after.map((l) => ` ${l}`));
    result.splice(e.at + delta, e.remove, ...e.add);
    delta += e.add.length - e.remove;
  }
  return { diff: out.join(''), result };
}

const fileAndEdits = fc
  .record({
    lines: fc.array(fc.constantFrom('a\n', 'b\n', '}\n', '\n', '\tx = 1;\n', 'if (y)\n'), { minLength: 8, maxLength: 120 }),
    sites: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 5 }),
    removes: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 5, maxLength: 5 }),
    adds: fc.array(fc.array(fc.constantFrom('new\n', 'a\n', '\tz();\n'), { maxLength: 3 }), { minLength: 5, maxLength: 5 }),
  })
  .map(({ lines, sites, removes, adds }) => {
    const edits: Edit[] = [];
    let last = -100;
    for (const [i, s] of [...sites].sort((x, y) => x - y).entries()) {
      const at = s % lines.length;
      const remove = Math.min(removes[i]!, lines.length - at);
      const add = adds[i]!;
      if (at - last < 8 || (remove === 0 && add.length === 0)) continue;
      edits.push({ at, remove, add });
      last = at + remove;
    }
    return { lines, edits };
  })
  .filter(({ edits }) => edits.length > 0);

describe('applying generated diffs', () => {
  it('turns the file into the edited file, exactly where the diff says, and the reverse diff turns it back', () => {
    fc.assert(
      fc.property(fileAndEdits, ({ lines, edits }) => {
        const { diff, result } = unifiedDiff(lines, edits);
        const { patch, findings } = parsePatch(diff, 'gen.patch');
        expect(findings).toEqual([]);
        const fp = patch!.files[0]!;
        const forward = applyFilePatch(lines.join(''), fp);
        expect(forward.applied).toBe(true);
        if (!forward.applied) return;
        expect(forward.result).toBe(result.join(''));
        for (const h of forward.hunks) expect(h.placement).toMatchObject({ applied: true, offset: 0 });
        const backward = applyFilePatch(result.join(''), reverseFilePatch(fp));
        expect(backward).toMatchObject({ applied: true, result: lines.join('') });
        // patch -F rules agree on a diff that fits exactly
        expect(applyFilePatchWithFuzz(lines.join(''), fp, 2)).toMatchObject({ applied: true, result: result.join('') });
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
