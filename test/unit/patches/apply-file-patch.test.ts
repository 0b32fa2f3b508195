import { describe, expect, it } from 'vitest';
import { applyFilePatch } from '../../../src/patches/apply-file-patch.js';
import { applyFilePatchWithFuzz } from '../../../src/patches/apply-file-patch-with-fuzz.js';
import { parsePatch } from '../../../src/patches/parse-patch.js';
import type { FilePatch } from '../../../src/patches/patch-types.js';
import { numberedLines } from './memory-tree.js';

function section(text: string): FilePatch {
  const { patch, findings } = parsePatch(text, 'test.patch');
  expect(findings).toEqual([]);
  return patch!.files[0]!;
}

const changeLine5 = (start: number) => `--- a/f
+++ b/f
@@ -${start},7 +${start},7 @@
 line 2
 line 3
 line 4
-line 5
+LINE FIVE
 line 6
 line 7
 line 8
`;

describe('applyFilePatch (git apply rules)', () => {
  it('applies at the stated position', () => {
    const out = applyFilePatch(numberedLines(20), section(changeLine5(2)));
    expect(out.applied).toBe(true);
    if (!out.applied) return;
    expect(out.result).toBe(numberedLines(20).replace('line 5\n', 'LINE FIVE\n'));
    expect(out.hunks[0]!.placement).toMatchObject({ applied: true, at: 1, offset: 0 });
  });

  it('finds the context elsewhere and reports the offset', () => {
    const content = 'extra\n'.repeat(4) + numberedLines(20);
    const out = applyFilePatch(content, section(changeLine5(2)));
    expect(out.hunks[0]!.placement).toMatchObject({ applied: true, at: 5, offset: 4 });
  });

  it('refuses a hunk whose context differs (no fuzz in git apply)', () => {
    const out = applyFilePatch(numberedLines(20).replace('line 8\n', 'line eight\n'), section(changeLine5(2)));
    expect(out.applied).toBe(false);
    if (out.applied) return;
    expect(out.failure).toMatchObject({ kind: 'hunk', expectedAt: 1 });
  });

  it('with fuzz 1, ignores one context line at each end like patch -F1', () => {
    const content = numberedLines(20).replace('line 8\n', 'line eight\n');
    const out = applyFilePatchWithFuzz(content, section(changeLine5(2)), 1);
    expect(out.applied).toBe(true);
    expect(out.hunks[0]!.placement).toMatchObject({ applied: true, fuzz: 1, at: 1 });
    if (out.applied) expect(out.result).toBe(content.replace('line 5\n', 'LINE FIVE\n'));
  });

  it('makes a hunk starting at line 1 match the beginning of the file only', () => {
    const atStart = `--- a/f
+++ b/f
@@ -1,2 +1,3 @@
+header
 line 1
 line 2
`;
    expect(applyFilePatch(numberedLines(5), section(atStart)).applied).toBe(true);
    expect(applyFilePatch('other\n' + numberedLines(5), section(atStart)).applied).toBe(false);
  });

  it('makes a hunk without trailing context match the end of the file only', () => {
    const atEnd = `--- a/f
+++ b/f
@@ -4,2 +4,3 @@
 line 4
 line 5
+trailer
`;
    expect(applyFilePatch(numberedLines(5), section(atEnd)).applied).toBe(true);
    expect(applyFilePatch(numberedLines(5) + 'more\n', section(atEnd)).applied).toBe(false);
  });

  it('never matches lines an earlier hunk of the same section produced', () => {
    const twice = `--- a/f
+++ b/f
@@ -2,3 +2,4 @@
 line 2
+new
 line 3
 line 4
@@ -2,3 +2,4 @@
 line 2
+new
 line 3
 line 4
`;
    const out = applyFilePatch(numberedLines(10), section(twice));
    expect(out.applied).toBe(false);
    expect(out.hunks.map((h) => h.placement.applied)).toEqual([true, false]);
  });

  it('handles files without a final newline', () => {
    const patch = `--- a/f
+++ b/f
@@ -1,2 +1,2 @@
 a
-b
\\ No newline at end of file
+b
`;
    const out = applyFilePatch('a\nb', section(patch));
    expect(out).toMatchObject({ applied: true, result: 'a\nb\n' });
    expect(applyFilePatch('a\nb\n', section(patch)).applied).toBe(false);
  });

  it('creates only missing files and deletes only when the content is exactly what it removes', () => {
    const create = section('--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+hi\n');
    expect(applyFilePatch(undefined, create)).toMatchObject({ applied: true, result: 'hi\n' });
    expect(applyFilePatch('x\n', create)).toMatchObject({ applied: false, failure: { kind: 'exists' } });
    const del = section('--- a/n\n+++ /dev/null\n@@ -1 +0,0 @@\n-hi\n');
    expect(applyFilePatch('hi\n', del)).toMatchObject({ applied: true, result: null });
    expect(applyFilePatch('hi\nmore\n', del)).toMatchObject({ applied: false });
    expect(applyFilePatch(undefined, del)).toMatchObject({ applied: false, failure: { kind: 'missing' } });
  });
});
