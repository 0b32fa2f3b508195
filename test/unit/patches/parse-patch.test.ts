import { describe, expect, it } from 'vitest';
import { parsePatch } from '../../../src/patches/parse-patch.js';

const mail = `From 1234 Mon Sep 17 00:00:00 2001
From: A U Thor <a@example.invalid>
Subject: [PATCH 2/3] ovl: turn the index
 on by default

Body text.
---
 fs/overlayfs/super.c | 2 +-

diff --git a/fs/overlayfs/super.c b/fs/overlayfs/super.c
index 51eec4a..c33f45e 100644
--- a/fs/overlayfs/super.c
+++ b/fs/overlayfs/super.c
@@ -41,3 +41,3 @@ module_param
 a
-b
+c
 d
@@ -100 +100,2 @@
-x
+y
+z
-- 
2.39.5
`;

describe('parsePatch', () => {
  it('reads a git format-patch mail: subject, paths, hunks and their patch lines', () => {
    const { patch, findings } = parsePatch(Buffer.from(mail), 'features/x/patches/0001.patch');
    expect(findings).toEqual([]);
    expect(patch?.subject).toBe('ovl: turn the index on by default');
    expect(patch?.files).toHaveLength(1);
    const fp = patch!.files[0]!;
    expect(fp).toMatchObject({
      oldPath: 'fs/overlayfs/super.c',
      newPath: 'fs/overlayfs/super.c',
      isNew: false,
      isDelete: false,
      git: true,
      patchLine: 10,
    });
    expect(fp.hunks.map((h) => [h.patchLine, h.oldStart, h.oldLines, h.newStart, h.newLines, h.leading, h.trailing])).toEqual([
      [14, 41, 3, 41, 3, 1, 1],
      [19, 100, 1, 100, 2, 0, 0],
    ]);
    expect(fp.hunks[0]!.section).toBe('module_param');
    expect(fp.hunks[1]!.lines).toEqual([
      { kind: '-', text: 'x\n' },
      { kind: '+', text: 'y\n' },
      { kind: '+', text: 'z\n' },
    ]);
  });

  it('reads a plain unified diff with timestamps and strips one leading component', () => {
    const text = `--- linux.orig/drivers/a.c\t2024-01-01 10:00:00.000000000 +0100
+++ linux/drivers/a.c\t2024-01-02 10:00:00.000000000 +0100
@@ -1,2 +1,2 @@
-old
+new
 same
`;
    const { patch, findings } = parsePatch(text, 'p.diff');
    expect(findings).toEqual([]);
    expect(patch!.files[0]).toMatchObject({ oldPath: 'drivers/a.c', newPath: 'drivers/a.c', git: false, isNew: false });
  });

  it('recognizes creations and deletions from /dev/null and from git extended headers', () => {
    const text = `diff --git a/new.c b/new.c
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/new.c
@@ -0,0 +1,2 @@
+one
+two
diff --git a/gone.c b/gone.c
deleted file mode 100755
index 2222222..0000000
--- a/gone.c
+++ /dev/null
@@ -1 +0,0 @@
-bye
--- /dev/null
+++ b/plain-new.c
@@ -0,0 +1 @@
+hi
`;
    const { patch, findings } = parsePatch(text, 'p');
    expect(findings).toEqual([]);
    expect(patch!.files.map((f) => [f.oldPath, f.newPath, f.isNew, f.isDelete, f.newMode, f.oldMode])).toEqual([
      [undefined, 'new.c', true, false, 0o100644, undefined],
      ['gone.c', undefined, false, true, undefined, 0o100755],
      [undefined, 'plain-new.c', true, false, undefined, undefined],
    ]);
  });

  it('reads renames, copies and mode-only changes without hunks', () => {
    const text = `diff --git a/lib/crc7.c b/lib/crc7-new.c
similarity index 98%
rename from lib/crc7.c
rename to lib/crc7-new.c
index 1111111..2222222 100644
--- a/lib/crc7.c
+++ b/lib/crc7-new.c
@@ -1,3 +1,4 @@
 a
+b
 c
 d
diff --git a/scripts/x b/scripts/x
old mode 100755
new mode 100644
diff --git a/a.c b/b.c
similarity index 100%
copy from a.c
copy to b.c
`;
    const { patch, findings } = parsePatch(text, 'p');
    expect(findings).toEqual([]);
    expect(patch!.files.map((f) => [f.oldPath, f.newPath, f.isRename, f.isCopy, f.hunks.length, f.oldMode, f.newMode])).toEqual([
      ['lib/crc7.c', 'lib/crc7-new.c', true, false, 1, 0o100644, undefined],
      ['scripts/x', 'scripts/x', false, false, 0, 0o100755, 0o100644],
      ['a.c', 'b.c', false, true, 0, undefined, undefined],
    ]);
  });

  it('drops the newline of a line followed by "\\ No newline at end of file"', () => {
    const text = `--- a/f
+++ b/f
@@ -1,2 +1,2 @@
 first
-last
\\ No newline at end of file
+last
`;
    const { patch } = parsePatch(text, 'p');
    expect(patch!.files[0]!.hunks[0]!.lines).toEqual([
      { kind: ' ', text: 'first\n' },
      { kind: '-', text: 'last' },
      { kind: '+', text: 'last\n' },
    ]);
  });

  it('refuses binary patches with a finding at the section header', () => {
    const text = `diff --git a/fw.bin b/fw.bin
index 1111111..2222222 100644
GIT binary patch
literal 3
KcmZ?wWB>pF01W^E

literal 0
HcmV?d00001

diff --git a/img.png b/img.png
index 1111111..2222222 100644
Binary files a/img.png and b/img.png differ
`;
    const { patch, findings } = parsePatch(text, 'features/fw/patches/0001.patch');
    expect(patch).toBeUndefined();
    expect(findings.map((f) => [f.code, f.where?.line])).toEqual([
      ['E_PATCH_BINARY', 1],
      ['E_PATCH_BINARY', 10],
    ]);
  });

  it('refuses absolute paths and paths leaving the tree, at the line naming them', () => {
    const text = `--- /etc/passwd
+++ /etc/passwd
@@ -1 +1 @@
-root
+toor
diff --git a/../outside.c b/../outside.c
--- a/../outside.c
+++ b/../outside.c
@@ -1 +1 @@
-a
+b
`;
    const { patch, findings } = parsePatch(text, 'p.patch');
    expect(patch).toBeUndefined();
    expect(findings.map((f) => f.code)).toEqual(['E_PATCH_UNSAFE_PATH', 'E_PATCH_UNSAFE_PATH']);
    expect(findings[0]!.where).toEqual({ file: 'p.patch', line: 1, col: 0 });
    expect(findings[0]!.message).toContain('absolute');
    expect(findings[1]!.message).toContain('..');
  });

  it('reports a hunk shorter than its header says as corrupt, at the hunk', () => {
    const text = `--- a/f
+++ b/f
@@ -1,4 +1,4 @@
 a
-b
+c
 d
`;
    const { patch, findings } = parsePatch(text, 'p');
    expect(patch).toBeUndefined();
    expect(findings).toMatchObject([{ code: 'E_PATCH_CORRUPT', where: { line: 3 } }]);
  });

  it('reports a hunk without a file header, and a file without any diff', () => {
    expect(parsePatch('hello\n@@ -1 +1 @@\n-a\n+b\n', 'p').findings).toMatchObject([{ code: 'E_PATCH_CORRUPT', where: { line: 2 } }]);
    expect(parsePatch('just some text\nand more\n', 'p').findings).toMatchObject([{ code: 'E_PATCH_EMPTY' }]);
  });
});
