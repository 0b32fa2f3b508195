import { execa } from 'execa';

import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeVariant } from '../../src/compose/compose-variant.js';
import type { Finding } from '../../src/findings/finding.js';
import { cleanupRepos, hostileRepo, runKplay, snapshotTree, vanillaVariant } from './support/hostile-repo.js';

afterAll(cleanupRepos);

const PATCH = 'diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+x\n';

/** Compose in-process: it must return findings (never throw), and write nothing when it fails. */
async function compose(files: Record<string, string | Buffer | { link: string }>, prepare?: (root: string) => Promise<void>, render = true) {
  const root = await hostileRepo(files);
  await prepare?.(root);
  const before = await snapshotTree(root);
  const r = await composeVariant(path.join(root, 'variants/v.yml'), { root, render });
  const errors = r.findings.filter((f) => f.severity === 'error');
  if (errors.length) expect(await snapshotTree(root)).toEqual(before);
  return { r, errors: errors.map((f) => f.code), warnings: r.findings.filter((f) => f.severity === 'warning').map((f) => f.code), find: (code: string) => r.findings.find((f) => f.code === code) as Finding };
}

describe('every bad input is a located finding, never an internal error', () => {
  it('billion laughs: aliases beyond the limit (E_YAML_ALIAS)', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const n of 'bcdefghi') laughs.push(`${n}: &${n} [${Array(9).fill(`*${String.fromCharCode(n.charCodeAt(0) - 1)}`).join(',')}]`);
    const { errors, find } = await compose({ 'variants/v.yml': `${vanillaVariant()}${laughs.join('\n')}\n` });
    expect(errors).toEqual(['E_YAML_ALIAS']);
    expect(find('E_YAML_ALIAS').where?.file).toMatch(/variants\/v\.yml$/);
  });

  it('two YAML documents in one file (E_YAML_SYNTAX at the second ---)', async () => {
    const { errors, find } = await compose({ 'variants/v.yml': `${vanillaVariant()}---\nname: other\n` });
    expect(errors).toEqual(['E_YAML_SYNTAX']);
    expect(find('E_YAML_SYNTAX')).toMatchObject({ message: expect.stringMatching(/more than one YAML document/) as string, where: { line: 8 } });
  });

  it('YAML tags outside the core schema (E_YAML_TAG): !!js/function, !!binary, !custom', async () => {
    for (const tag of ['!!js/function "function(){}"', '!!binary aGVsbG8=', '!!set {a}', '!custom x', '!!python/object:os.system x']) {
      const { errors, find } = await compose({ 'variants/v.yml': vanillaVariant().replace('summary: safe summary', `summary: ${tag}`) });
      expect(errors, tag).toEqual(['E_YAML_TAG']);
      expect(find('E_YAML_TAG').where).toMatchObject({ line: 2 });
    }
  });

  it('non-UTF-8 bytes are an error at their byte offset (E_ENCODING), in a variant, a feature.yml and a fragment', async () => {
    const bad = Buffer.concat([Buffer.from('name: v\nsummary: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const a = await compose({ 'variants/v.yml': Buffer.concat([bad, Buffer.from(vanillaVariant().split('\n').slice(2).join('\n'))]) });
    expect(a.errors).toEqual(['E_ENCODING']);
    expect(a.find('E_ENCODING')).toMatchObject({ message: expect.stringMatching(/invalid byte 0xe9 at byte offset 20/) as string, where: { line: 2, col: 13 } });
    const b = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': Buffer.from([0x73, 0x75, 0x6d, 0x6d, 0x61, 0x72, 0x79, 0x3a, 0x20, 0xff, 0x0a]) });
    expect(b.errors).toEqual(['E_ENCODING']);
    const c = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': 'summary: f\n', 'features/f/config': Buffer.from([0x43, 0x4f, 0x4e, 0x46, 0x49, 0x47, 0x5f, 0x41, 0x3d, 0x22, 0xc3, 0x28, 0x22, 0x0a]) });
    expect(c.errors).toEqual(['E_ENCODING']);
  });

  it('a file where a folder is expected, and a folder where a file is expected (E_INPUT_KIND)', async () => {
    const cases: Array<Record<string, string>> = [
      { 'features/f': 'I am a file' },
      { 'features/f/feature.yml': 'summary: f\n', 'features/f/patches': 'a file' },
      { 'features/f/feature.yml/x': 'feature.yml is a folder' },
      { 'features/f/feature.yml': 'summary: f\n', 'features/f/config/x': 'config is a folder' },
      { 'features/f/feature.yml': 'summary: f\n', 'features/f/series': '0001-a.patch\n', 'features/f/patches/0001-a.patch/x': 'a folder' },
      { 'features/f/feature.yml': 'summary: f\n', 'features/f/series/x': 'series is a folder' },
    ];
    for (const files of cases) {
      const { errors } = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), ...files });
      expect(errors, Object.keys(files).join(' ')).toEqual(['E_INPUT_KIND']);
    }
    const extendsDir = await compose({ 'variants/v.yml': 'extends: base.yml\nname: v\n', 'variants/base.yml/x': 'a folder' });
    expect(extendsDir.errors).toEqual(['E_INPUT_KIND']);
    expect(extendsDir.find('E_INPUT_KIND').where).toMatchObject({ line: 1, col: 10 });
  });

  it('extends: naming a FIFO is refused at once, without blocking (E_INPUT_KIND)', async () => {
    const started = Date.now();
    const { errors, find } = await compose({ 'variants/v.yml': 'extends: pipe.yml\nname: v\n' }, async (root) => {
      await execa('mkfifo', [path.join(root, 'variants/pipe.yml')]);
    });
    expect(errors).toEqual(['E_INPUT_KIND']);
    expect(find('E_INPUT_KIND').message).toMatch(/not a regular file/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a 150k-line config fragment is read without overflowing the stack', async () => {
    const lines = Array.from({ length: 150_000 }, (_, i) => `CONFIG_SYM_${i}=y`).join('\n');
    const { r, errors } = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': 'summary: f\n', 'features/f/config': `${lines}\n` }, undefined, false);
    expect(errors).toEqual([]);
    expect(r.merged![0]!.symbols.size).toBe(150_000);
  });

  it('malformed % escapes in URLs are findings (E_SOURCE_NAME), not URI errors', async () => {
    const { errors } = await compose({ 'variants/v.yml': vanillaVariant().replace('  version: "6.1.192"\n', '  version: "6.1.192"\n  source: { url: "https://h/linux%E0%A4%A.tar.xz" }\n') });
    expect(errors).toEqual(['E_SOURCE_NAME']);
  });

  it('the CLI maps every one of these to exit 2, never 3, and prints no stack', async () => {
    const root = await hostileRepo({ 'variants/v.yml': `${vanillaVariant()}---\n`, 'variants/w.yml': 'extends: w2.yml\n', 'variants/w2.yml/x': '' });
    for (const v of ['variants/v.yml', 'variants/w.yml']) {
      const r = await runKplay(['compose', v], { cwd: root });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});

describe('accepted with a warning', () => {
  it('a patch that creates a symbolic link (W_PATCH_SYMLINK)', async () => {
    const link = 'diff --git a/evil b/evil\nnew file mode 120000\n--- /dev/null\n+++ b/evil\n@@ -0,0 +1 @@\n+/etc/shadow\n\\ No newline at end of file\n';
    const { errors, warnings, find } = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': 'summary: f\n', 'features/f/patches/0001-link.patch': link });
    expect(errors).toEqual([]);
    expect(warnings).toContain('W_PATCH_SYMLINK');
    expect(find('W_PATCH_SYMLINK').where).toMatchObject({ line: 1 });
  });

  it('one patch listed twice in series (W_SERIES_DUPLICATE), applied once', async () => {
    const { r, errors, warnings, find } = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': 'summary: f\n', 'features/f/series': '0001-a.patch\n# again\n0001-a.patch\n', 'features/f/patches/0001-a.patch': PATCH });
    expect(errors).toEqual([]);
    expect(warnings).toEqual(['W_SERIES_DUPLICATE']);
    expect(find('W_SERIES_DUPLICATE').where).toMatchObject({ line: 3 });
    expect(r.patches).toHaveLength(1);
  });

  it('a feature conflicting with itself (W_FEATURE_SELF_CONFLICT)', async () => {
    const { errors, warnings, find } = await compose({ 'variants/v.yml': vanillaVariant([], { features: ['f'] }), 'features/f/feature.yml': 'summary: f\nconflicts: [g, f]\n' });
    expect(errors).toEqual([]);
    expect(warnings).toEqual(['W_FEATURE_SELF_CONFLICT']);
    expect(find('W_FEATURE_SELF_CONFLICT').where).toMatchObject({ line: 2, col: 16 });
  });
});

