import { describe, expect, it } from 'vitest';
import { checkPatchesForSeries } from '../../../src/patches/check-patches-for-series.js';
import type { SeriesPatch } from '../../../src/patches/patch-types.js';
import { MemoryTree, numberedLines } from './memory-tree.js';

const sp = (feature: string, text: string): SeriesPatch => ({
  feature,
  file: `features/${feature}/patches/0001.patch`,
  text: Buffer.from(text),
});
const hunk = (from: string, to: string) =>
  `--- a/f.c\n+++ b/f.c\n@@ -4,7 +4,7 @@\n line 4\n line 5\n line 6\n-${from}\n+${to}\n line 8\n line 9\n line 10\n`;

describe('checkPatchesForSeries', () => {
  it('without a source, parses and finds overlaps only', async () => {
    const out = await checkPatchesForSeries([sp('a', hunk('line 7', 'A')), sp('b', hunk('line 7', 'B'))]);
    expect(out.findings.map((f) => f.code)).toEqual(['E_PATCH_OVERLAP']);
    expect(out.files.size).toBe(0);
  });

  it('keeps the overlap an error when the later patch does not apply, next to the apply error', async () => {
    const tree = new MemoryTree({ 'f.c': numberedLines(20) });
    const out = await checkPatchesForSeries([sp('a', hunk('line 7', 'A')), sp('b', hunk('line 7', 'B'))], tree);
    expect(out.findings.map((f) => [f.code, f.severity, f.feature])).toEqual([
      ['E_PATCH_OVERLAP', 'error', 'b'],
      ['E_PATCH_APPLY', 'error', 'b'],
    ]);
  });

  it('makes the overlap a warning when the later patch was made on top of the earlier one', async () => {
    const tree = new MemoryTree({ 'f.c': numberedLines(20) });
    const out = await checkPatchesForSeries([sp('a', hunk('line 7', 'A')), sp('b', hunk('A', 'B'))], tree);
    expect(out.findings.map((f) => [f.code, f.severity])).toEqual([['W_PATCH_OVERLAP', 'warning']]);
    expect(out.findings[0]!.hint).toContain('require');
    expect(out.files.get('f.c')!.toString()).toContain('\nB\n');
  });

  it('reports unparsable patches and goes on with the rest', async () => {
    const tree = new MemoryTree({ 'f.c': numberedLines(20) });
    const out = await checkPatchesForSeries([sp('bad', 'no diff here\n'), sp('a', hunk('line 7', 'A'))], tree);
    expect(out.findings.map((f) => f.code)).toEqual(['E_PATCH_EMPTY']);
    expect(out.results.map((r) => r.status)).toEqual(['invalid', 'applied']);
  });
});
