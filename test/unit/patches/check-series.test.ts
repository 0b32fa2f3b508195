import { describe, expect, it } from 'vitest';
import { checkSeries } from '../../../src/patches/check-series.js';
import { parseSeries } from '../../../src/patches/parse-series.js';
import type { SeriesPatch } from '../../../src/patches/patch-types.js';
import { MemoryTree, numberedLines } from './memory-tree.js';

function sp(feature: string, n: number, text: string): SeriesPatch {
  return { feature, file: `features/${feature}/patches/000${n}-${feature}.patch`, text: Buffer.from(text) };
}

const replace = (path: string, at: number, from: string, to: string, before: string[], after: string[]) =>
  [
    `diff --git a/${path} b/${path}`,
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -${at},${before.length + after.length + 1} +${at},${before.length + after.length + 1} @@`,
    ...before.map((l) => ` ${l}`),
    `-${from}`,
    `+${to}`,
    ...after.map((l) => ` ${l}`),
    '',
  ].join('\n');

const base = { 'fs/overlayfs/super.c': numberedLines(200), 'drivers/x.c': numberedLines(30, 'x') };

async function run(series: SeriesPatch[], files: Record<string, string> = base, fuzz = 0) {
  const tree = new MemoryTree(files);
  const { entries, findings } = parseSeries(series);
  expect(findings).toEqual([]);
  return { tree, ...(await checkSeries(tree, entries, { fuzz })) };
}

describe('checkSeries', () => {
  it('applies a series in order, reads only the touched files, and returns the results', async () => {
    const a = sp(
      'a',
      1,
      replace('fs/overlayfs/super.c', 117, 'line 120', 'A 120', ['line 117', 'line 118', 'line 119'], ['line 121', 'line 122', 'line 123']),
    );
    const b = sp(
      'b',
      1,
      replace('fs/overlayfs/super.c', 147, 'line 150', 'B 150', ['line 147', 'line 148', 'line 149'], ['line 151', 'line 152', 'line 153']),
    );
    const out = await run([a, b]);
    expect(out.findings).toEqual([]);
    expect(out.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(out.tree.reads).toEqual(['fs/overlayfs/super.c']);
    const text = out.files.get('fs/overlayfs/super.c')!.toString();
    expect(text).toContain('A 120\n');
    expect(text).toContain('B 150\n');
  });

  it('names the earlier patch of another feature that changed the lines a hunk expects', async () => {
    const a = sp(
      'a',
      2,
      replace('fs/overlayfs/super.c', 117, 'line 120', 'A 120', ['line 117', 'line 118', 'line 119'], ['line 121', 'line 122', 'line 123']),
    );
    const b = sp(
      'b',
      1,
      replace('fs/overlayfs/super.c', 118, 'line 121', 'B 121', ['line 118', 'line 119', 'line 120'], ['line 122', 'line 123', 'line 124']),
    );
    const out = await run([a, b]);
    expect(out.results.map((r) => r.status)).toEqual(['applied', 'failed']);
    const err = out.findings.find((f) => f.code === 'E_PATCH_APPLY')!;
    expect(err.feature).toBe('b');
    expect(err.where).toEqual({ file: 'features/b/patches/0001-b.patch', line: 4, col: 0 });
    expect(err.message).toContain(
      'features/a/patches/0002-a.patch (feature a) changes line 120 of fs/overlayfs/super.c that features/b/patches/0001-b.patch (feature b) expects',
    );
    expect(err.message).toContain('line 120 should be "line 120" but is "A 120"');
    expect(err.related?.[0]?.where).toEqual({ file: 'features/a/patches/0002-a.patch', line: 4, col: 0 });
  });

  it('explains a mismatch with the base itself when no earlier patch is to blame', async () => {
    const b = sp('b', 1, replace('drivers/x.c', 5, 'x 8', 'B', ['x 5', 'x 6', 'x 7'], ['x 9', 'x 10', 'x 11']));
    const files = { 'drivers/x.c': numberedLines(30, 'x').replace('x 10\n', 'x ten\n') };
    const out = await run([b], files);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ code: 'E_PATCH_APPLY', severity: 'error' });
    expect(out.findings[0]!.message).toContain('line 10 should be "x 10" but is "x ten"');
    expect(out.files.size).toBe(0);
  });

  it('warns about offsets and applies with fuzz only when asked', async () => {
    const p = sp('a', 1, replace('drivers/x.c', 2, 'x 5', 'A', ['x 2', 'x 3', 'x 4'], ['x 6', 'x 7', 'x 8']));
    const shifted = { 'drivers/x.c': 'new\nnew\n' + numberedLines(30, 'x') };
    expect((await run([p], shifted)).findings).toMatchObject([{ code: 'W_PATCH_OFFSET', severity: 'warning' }]);
    const fuzzy = { 'drivers/x.c': numberedLines(30, 'x').replace('x 8\n', 'x eight\n') };
    expect((await run([p], fuzzy)).findings).toMatchObject([{ code: 'E_PATCH_APPLY' }]);
    const withFuzz = await run([p], fuzzy, 1);
    expect(withFuzz.findings).toMatchObject([{ code: 'W_PATCH_FUZZ' }]);
    expect(withFuzz.results[0]!.hunks[0]).toMatchObject({ status: 'fuzz', fuzz: 1, line: 2 });
  });

  it('says a patch the base already contains is already applied', async () => {
    const p = sp('up', 1, replace('drivers/x.c', 2, 'x 5', 'x 5 fixed', ['x 2', 'x 3', 'x 4'], ['x 6', 'x 7', 'x 8']));
    const files = { 'drivers/x.c': numberedLines(30, 'x').replace('x 5\n', 'x 5 fixed\n') };
    const out = await run([p], files);
    expect(out.results[0]!.status).toBe('already-applied');
    expect(out.findings).toMatchObject([{ code: 'E_PATCH_ALREADY_APPLIED', feature: 'up' }]);
    expect(out.findings[0]!.hint).toMatch(/drop the patch|version range/);
  });

  it('names the earlier patch when the same change comes twice', async () => {
    const text = replace('drivers/x.c', 2, 'x 5', 'A', ['x 2', 'x 3', 'x 4'], ['x 6', 'x 7', 'x 8']);
    const out = await run([sp('a', 1, text), sp('b', 1, text)]);
    expect(out.findings).toMatchObject([{ code: 'E_PATCH_ALREADY_APPLIED', feature: 'b' }]);
    expect(out.findings[0]!.message).toContain('features/a/patches/0001-a.patch');
  });

  it('handles creation, rename and deletion across the series', async () => {
    const create = sp(
      'a',
      1,
      'diff --git a/new.c b/new.c\nnew file mode 100644\n--- /dev/null\n+++ b/new.c\n@@ -0,0 +1,2 @@\n+one\n+two\n',
    );
    const rename = sp(
      'b',
      1,
      'diff --git a/new.c b/renamed.c\nsimilarity index 90%\nrename from new.c\nrename to renamed.c\n--- a/new.c\n+++ b/renamed.c\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n',
    );
    const del = sp(
      'c',
      1,
      'diff --git a/drivers/x.c b/drivers/x.c\ndeleted file mode 100644\n--- a/drivers/x.c\n+++ /dev/null\n@@ -1,30 +0,0 @@\n' +
        numberedLines(30, 'x').replace(/^/gm, '-'),
    );
    const editGone = sp('d', 1, replace('drivers/x.c', 2, 'x 5', 'A', ['x 2', 'x 3', 'x 4'], ['x 6', 'x 7', 'x 8']));
    const out = await run([create, rename, del, editGone]);
    expect(out.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'failed']);
    expect(out.files.get('new.c')).toBeNull();
    expect(out.files.get('renamed.c')!.toString()).toBe('one\nTWO\n');
    expect(out.files.get('drivers/x.c')).toBeNull();
    expect(out.findings[0]!.message).toContain('features/c/patches/0001-c.patch deleted or renamed');
  });

  it('refuses to create a file that exists', async () => {
    const create = sp('a', 1, '--- /dev/null\n+++ b/drivers/x.c\n@@ -0,0 +1 @@\n+hello\n');
    const out = await run([create]);
    expect(out.findings).toMatchObject([{ code: 'E_PATCH_APPLY' }]);
    expect(out.findings[0]!.message).toContain('already exists in the base source');
  });
});
