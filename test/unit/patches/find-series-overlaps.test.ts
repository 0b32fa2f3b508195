import { describe, expect, it } from 'vitest';
import { findSeriesOverlaps } from '../../../src/patches/find-series-overlaps.js';
import { parseSeries } from '../../../src/patches/parse-series.js';
import type { SeriesPatch } from '../../../src/patches/patch-types.js';

const sp = (feature: string, text: string): SeriesPatch => ({
  feature,
  file: `features/${feature}/patches/0001.patch`,
  text: Buffer.from(text),
});

function overlaps(...series: SeriesPatch[]) {
  const { entries, findings } = parseSeries(series);
  expect(findings).toEqual([]);
  return findSeriesOverlaps(entries);
}

const edit = (start: number, removed: string[], added: string[]) =>
  `--- a/f.c\n+++ b/f.c\n@@ -${start},${removed.length + 2} +${start},${added.length + 2} @@\n ctx\n${removed.map((l) => `-${l}\n`).join('')}${added.map((l) => `+${l}\n`).join('')} ctx\n`;

describe('findSeriesOverlaps', () => {
  it('reports two features changing the same lines, naming both patches, hunks and lines', () => {
    const found = overlaps(sp('a', edit(10, ['x', 'y'], ['X'])), sp('b', edit(10, ['x'], ['Z'])));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      code: 'E_PATCH_OVERLAP',
      severity: 'error',
      feature: 'b',
      where: { file: 'features/b/patches/0001.patch', line: 3 },
    });
    expect(found[0]!.message).toContain('features/a/patches/0001.patch (feature a)');
    expect(found[0]!.message).toContain('line 11 of f.c');
    expect(found[0]!.related?.[0]?.where.file).toBe('features/a/patches/0001.patch');
  });

  it('does not report changes to different lines, nor two patches of one feature', () => {
    expect(overlaps(sp('a', edit(10, ['x'], ['X'])), sp('b', edit(40, ['y'], ['Y'])))).toEqual([]);
    expect(
      overlaps(sp('a', edit(10, ['x'], ['X'])), { ...sp('a', edit(10, ['X'], ['Y'])), file: 'features/a/patches/0002.patch' }),
    ).toEqual([]);
  });

  it('follows line shifts made by earlier patches', () => {
    // a inserts 5 lines at 10; b's line 51 is the base line 46, a's second change sits at base 46
    const a = `--- a/f.c\n+++ b/f.c\n@@ -10,2 +10,7 @@\n ctx\n+1\n+2\n+3\n+4\n+5\n ctx\n@@ -45,3 +50,3 @@\n ctx\n-old\n+new\n ctx\n`;
    const hitsShifted = overlaps(sp('a', a), sp('b', edit(50, ['new'], ['newer'])));
    expect(hitsShifted).toHaveLength(1);
    expect(hitsShifted[0]!.message).toContain('hunk #1 overlaps hunk #2');
    // the same numbers without the shift do not touch a's change
    expect(overlaps(sp('a', a), sp('b', edit(45, ['q'], ['Q'])))).toEqual([]);
  });

  it('reports two insertions at the same place', () => {
    const ins = (t: string) => `--- a/f.c\n+++ b/f.c\n@@ -10,2 +10,3 @@\n ctx\n+${t}\n ctx\n`;
    expect(overlaps(sp('a', ins('A')), sp('b', ins('B')))).toHaveLength(1);
  });
});
