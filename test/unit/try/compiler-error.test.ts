import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PatchReport } from '../../../src/patches/check-series.js';
import { buildErrorFinding, firstBuildError, hunksTouching } from '../../../src/try/compiler-error.js';
import { ROOT_OF_REPO } from '../../support/paths.js';
import { tempDir } from '../../support/temp-dir.js';

// a patch of fs/overlayfs/super.c for 6.12 (written for this project, kept as a fixture of its hunk positions)
const PATCH = 'test/fixtures/patches/ovl-defaults-6.12-super.patch';

/** What gcc really prints for a broken file compiled the way `make O=.kplay-build` compiles it. */
async function gccLog(): Promise<{ log: string; tree: string }> {
  const tree = await tempDir('kplay-try-cc-');
  await mkdir(path.join(tree, 'fs/overlayfs'), { recursive: true });
  await mkdir(path.join(tree, '.kplay-build'));
  await writeFile(path.join(tree, 'fs/overlayfs/super.c'), 'int ok(void) { return 0; }\n\nint f(void)\n{\n\treturn undeclared_thing;\n}\n');
  const r = await execa('gcc', ['-c', '../fs/overlayfs/super.c', '-o', 'super.o'], { cwd: path.join(tree, '.kplay-build'), reject: false });
  return { log: `${r.stdout}\n${r.stderr}\nmake[4]: *** [../scripts/Makefile.build:229: fs/overlayfs/super.o] Error 1\n`, tree };
}

describe("the build's first error", () => {
  it("reads gcc's own error line, with the file relative to the tree and the source line after it", async () => {
    const { log, tree } = await gccLog();
    const err = firstBuildError(log, tree)!;
    expect(err.file).toBe('fs/overlayfs/super.c');
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/undeclared_thing/);
    expect(err.context.join('\n')).toContain('return undeclared_thing;');
  });

  it('falls back to the first make error when no compiler line names a file', () => {
    const err = firstBuildError("  LD      vmlinux\nld: undefined reference to `foo'\nmake[2]: *** [Makefile:1] Error 1\n");
    expect(err).toEqual({ message: "ld: undefined reference to `foo'", context: [] });
    expect(firstBuildError('all good\n')).toBeUndefined();
  });

  it('finds the hunk whose new side wrote the line, and puts E_TRY_BUILD at its @@ line in the patch', async () => {
    const text = await readFile(path.join(ROOT_OF_REPO, PATCH));
    const results: PatchReport[] = [
      {
        feature: 'overlayfs',
        patch: PATCH,
        status: 'applied',
        hunks: [{ path: 'fs/overlayfs/super.c', hunk: 1, patchLine: 20, status: 'exact', line: 1516 }],
      },
    ];
    const texts = new Map([[PATCH, text]]);
    // the hunk's new side is 14 lines from 1516: 1516..1529
    expect(hunksTouching(results, texts, 'fs/overlayfs/super.c', 1520)).toEqual([
      { feature: 'overlayfs', patch: PATCH, patchLine: 20, from: 1516, to: 1529 },
    ]);
    expect(hunksTouching(results, texts, 'fs/overlayfs/super.c', 1530)).toEqual([]);
    expect(hunksTouching(results, texts, 'fs/overlayfs/params.c', 1520)).toEqual([]);
    const f = buildErrorFinding(
      { file: 'fs/overlayfs/super.c', line: 1520, col: 4, message: "'x' undeclared", context: [] },
      hunksTouching(results, texts, 'fs/overlayfs/super.c', 1520),
      'x86_64',
      '',
      'linux.tar.xz',
    );
    expect(f).toMatchObject({
      code: 'E_TRY_BUILD',
      severity: 'error',
      where: { file: PATCH, line: 20 },
      feature: 'overlayfs',
      arch: 'x86_64',
    });
    expect(f.related?.[0]?.where).toEqual({ file: 'fs/overlayfs/super.c', line: 1520, col: 4 });
  });
});
