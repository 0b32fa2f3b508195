/**
 * Links committed to a repository never choose what kplay removes, replaces or reads (issue 24,
 * "Paths"). Each case has a canary outside the repository (a victim folder under os.tmpdir())
 * and a snapshot of the repository that must not change. ~3 s (a few CLI runs).
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeVariant } from '../../src/compose/compose-variant.js';
import { isMarkerEntry } from '../../src/compose/output-marker.js';
import { UsageError } from '../../src/findings/finding.js';
import { tempDir } from '../support/temp-dir.js';
import { cleanupRepos, hostileRepo, runKplay, snapshotTree, vanillaVariant } from './support/hostile-repo.js';

afterAll(cleanupRepos);

async function victim(): Promise<string> {
  const dir = await tempDir('kplay-victim-');
  await writeFile(path.join(dir, 'a.txt'), 'precious\n');
  return dir;
}

async function composeCodes(root: string, out?: string): Promise<string[]> {
  try {
    await composeVariant(path.join(root, 'variants/v.yml'), { root, ...(out ? { out } : {}) });
    return [];
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    expect(err.exitCode).toBe(2);
    return err.findings.map((f) => f.code);
  }
}

describe('output folders: no removal or write through a link (E_OUT_UNSAFE, exit 2)', () => {
  it('the reported case: out -> features/x/o, a marker naming l/a.txt and l -> victim: the victim keeps a.txt', async () => {
    const v = await victim();
    const root = await hostileRepo({
      'variants/v.yml': vanillaVariant(),
      'features/x/feature.yml': 'summary: x\n',
      'features/x/o/v/.kplay-output.json': JSON.stringify({ kplay: 1, variant: 'v', files: ['l/a.txt', 'l'] }),
    });
    await symlink('features/x/o', path.join(root, 'out'));
    await symlink(v, path.join(root, 'features/x/o/v/l'));
    const before = await snapshotTree(root);
    const r = await runKplay(['compose', 'variants/v.yml'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_OUT_UNSAFE: refusing to write the output to .*out\/v: out on its way is a symbolic link/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await readFile(path.join(v, 'a.txt'), 'utf8')).toBe('precious\n');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('the same output named with --out: the link inside it (l) is refused, the victim keeps a.txt', async () => {
    const v = await victim();
    const root = await hostileRepo({
      'variants/v.yml': vanillaVariant(),
      'o/.kplay-output.json': JSON.stringify({ kplay: 1, variant: 'v', files: ['l/a.txt', 'l'] }),
    });
    await symlink(v, path.join(root, 'o/l'));
    const before = await snapshotTree(root);
    const r = await runKplay(['compose', 'variants/v.yml', '--out', 'o'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_OUT_UNSAFE: .*: l in it is a symbolic link/);
    expect(await readFile(path.join(v, 'a.txt'), 'utf8')).toBe('precious\n');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('a committed out link alone does not make compose write into an existing folder elsewhere', async () => {
    const v = await tempDir('kplay-victim-');
    await mkdir(path.join(v, 'v'));
    const root = await hostileRepo({ 'variants/v.yml': vanillaVariant() });
    await symlink(v, path.join(root, 'out'));
    const outside = await snapshotTree(v);
    expect(await composeCodes(root)).toEqual(['E_OUT_UNSAFE']);
    expect(await snapshotTree(v)).toEqual(outside);
  });

  it('a link named on the command line is the user’s: --out through a link outside is written', async () => {
    const v = await tempDir('kplay-elsewhere-');
    const root = await hostileRepo({ 'variants/v.yml': vanillaVariant() });
    await symlink(v, path.join(root, 'scratch'));
    expect(await composeCodes(root, path.join(root, 'scratch/v'))).toEqual([]);
    expect((await snapshotTree(v)).has('v/.kplay-output.json')).toBe(true);
  });

  it.each([['../a.txt'], ['/tmp/a.txt'], ['a/../../b'], ['./a'], ['a//b'], ['a\\b'], ['a\nb'], ['']])(
    'a marker entry %j makes the marker foreign: nothing is removed',
    async (entry) => {
      expect(isMarkerEntry(entry)).toBe(false);
      const v = await victim();
      const root = await hostileRepo({
        'variants/v.yml': vanillaVariant(),
        'out/v/.kplay-output.json': JSON.stringify({ kplay: 1, variant: 'v', files: [entry, path.join(v, 'a.txt')] }),
      });
      const before = await snapshotTree(root);
      expect(await composeCodes(root)).toEqual(['E_OUT_UNSAFE']);
      expect(await readFile(path.join(v, 'a.txt'), 'utf8')).toBe('precious\n');
      expect(await snapshotTree(root)).toEqual(before);
    },
  );

  it('a marker that is a link to a marker elsewhere is not kplay’s', async () => {
    const v = await tempDir('kplay-victim-');
    await writeFile(path.join(v, 'm.json'), JSON.stringify({ kplay: 1, variant: 'v', files: [] }));
    const root = await hostileRepo({ 'variants/v.yml': vanillaVariant() });
    await mkdir(path.join(root, 'out/v'), { recursive: true });
    await symlink(path.join(v, 'm.json'), path.join(root, 'out/v/.kplay-output.json'));
    const before = await snapshotTree(root);
    expect(await composeCodes(root)).toEqual(['E_OUT_UNSAFE']);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('plain names are marker entries', () => {
    for (const ok of ['kernel.spec', 'a/b.txt', 'SOURCES/x-1.0.tar.xz']) expect(isMarkerEntry(ok), ok).toBe(true);
  });
});

describe('variant files that resolve outside the repository (E_PATH_ESCAPE, exit 2, not read)', () => {
  it.each([['check'], ['compose']])('kplay %s variants/v.yml where v.yml links outside: its content is never printed', async (cmd) => {
    const v = await tempDir('kplay-victim-');
    await writeFile(path.join(v, 'secret.yml'), 'SECRET-LINE-ONE: 1\nSECRET-LINE-TWO: 2\n');
    const root = await hostileRepo({ 'variants/w.yml': vanillaVariant([], { name: 'w' }), 'features/a/feature.yml': 'summary: a\n' });
    await symlink(path.join(v, 'secret.yml'), path.join(root, 'variants/v.yml'));
    const before = await snapshotTree(root);
    const r = await runKplay([cmd, 'variants/v.yml'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_PATH_ESCAPE: variant file variants\/v\.yml is a link that leads outside its repository/);
    expect(r.stdout + r.stderr).not.toMatch(/SECRET/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('kplay check (the whole repository) reports the escaping variant without reading it', async () => {
    const v = await tempDir('kplay-victim-');
    await writeFile(path.join(v, 'secret.yml'), 'SECRET-LINE-ONE: 1\n');
    const root = await hostileRepo({ 'variants/w.yml': vanillaVariant([], { name: 'w' }), 'features/a/feature.yml': 'summary: a\n' });
    await symlink(path.join(v, 'secret.yml'), path.join(root, 'variants/v.yml'));
    const r = await runKplay(['check'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/E_PATH_ESCAPE/);
    expect(r.stdout + r.stderr).not.toMatch(/SECRET/);
  });
});
