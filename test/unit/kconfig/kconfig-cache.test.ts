import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKconfigTree } from '../../../src/kconfig/load-kconfig-tree.js';
import { cachedSubsetFolder, damagedSubsetFiles, extractKconfigSubset, readSubsetFile } from '../../../src/sources/kconfig-cache.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-kcache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tarball(): string {
  const top = path.join(dir, 'src', 'linux-6.12.1');
  mkdirSync(path.join(top, 'arch', 'x86'), { recursive: true });
  writeFileSync(path.join(top, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 1\nEXTRAVERSION =\n');
  writeFileSync(path.join(top, 'Kconfig'), 'mainmenu "Linux"\nsource "arch/$(SRCARCH)/Kconfig"\n');
  writeFileSync(path.join(top, 'arch', 'x86', 'Kconfig'), 'config X86\n\tdef_bool y\n');
  writeFileSync(path.join(top, 'skip.c'), 'int x;\n');
  const file = path.join(dir, 'linux-6.12.1.tar.gz');
  execFileSync('tar', ['-czf', file, '-C', path.join(dir, 'src'), 'linux-6.12.1']);
  return file;
}

describe('extracted Kconfig subset cache', () => {
  it('keeps Kconfig files in one pack, writes a digest manifest last, finds damage, and re-extracts once instead of blaming the kernel', async () => {
    const tb = tarball();
    const cache = path.join(dir, 'cache');
    const trees = path.join(cache, 'kconfig-trees');
    // a partial folder of a run that died (no such process) is removed; a live one is kept
    mkdirSync(path.join(trees, 'partial-999999999-1'), { recursive: true });
    mkdirSync(path.join(trees, `partial-${process.pid}-${Date.now()}`), { recursive: true });
    const root = await extractKconfigSubset(tb, cache);
    expect(readdirSync(trees).filter((n) => n.startsWith('partial-'))).toEqual([
      expect.stringMatching(new RegExp(`^partial-${process.pid}-`)),
    ]);
    expect(existsSync(path.join(root, '.manifest.json'))).toBe(true);
    expect(existsSync(path.join(root, 'skip.c'))).toBe(false);
    // Kconfig files live in the pack only; the Makefile (not a Kconfig file) is a real file too
    expect(existsSync(path.join(root, 'arch', 'x86', 'Kconfig'))).toBe(false);
    expect(existsSync(path.join(root, 'Makefile'))).toBe(true);
    expect((await readSubsetFile(root, 'arch/x86/Kconfig'))?.toString()).toBe('config X86\n\tdef_bool y\n');
    expect(await damagedSubsetFiles(root)).toEqual([]);

    // damage the cached pack: a parse error that is not the kernel's
    const packFile = path.join(root, 'kconfig.pack');
    const bytes = readFileSync(packFile);
    const at = bytes.indexOf('def_bool y');
    expect(at).toBeGreaterThan(0);
    bytes.write('bogus line', at, 'latin1');
    writeFileSync(packFile, bytes);
    expect(await damagedSubsetFiles(root)).toEqual(['arch/x86/Kconfig']);
    const tree = await loadKconfigTree({ source: tb, arch: 'x86_64', cacheDir: cache });
    expect(tree.symbols.find('X86')?.type).toBe('bool');
    expect(tree.dialect.choices).toBe('menu'); // 6.12 by version: the fixture has no scripts/kconfig
    expect(await damagedSubsetFiles(root)).toEqual([]);
    expect(tree.readSource('arch/x86/Kconfig')).toBe('config X86\n\tdef_bool y\n');

    // a tool that needs a real tree gets one; a file changed after that is damage too
    tree.ensureOnDisk();
    expect(readFileSync(path.join(root, 'arch', 'x86', 'Kconfig'), 'latin1')).toBe('config X86\n\tdef_bool y\n');
    expect(await damagedSubsetFiles(root)).toEqual([]);
    writeFileSync(path.join(root, 'Kconfig'), 'mainmenu "changed"\n');
    expect(await damagedSubsetFiles(root)).toEqual(['Kconfig']);
    // a later run (the pack read afresh) checks what conf is about to read against the pack, and repairs it
    utimesSync(packFile, new Date(), new Date(Date.now() + 2000));
    tree.ensureOnDisk();
    expect(readFileSync(path.join(root, 'Kconfig'), 'latin1')).toContain('mainmenu "Linux"');
    expect(await damagedSubsetFiles(root)).toEqual([]);

    // a pack cut short (its index now points past the end) is damage too, not an internal error
    const whole = readFileSync(packFile);
    writeFileSync(packFile, whole.subarray(0, whole.length - 20));
    expect(await damagedSubsetFiles(root)).toContain('kconfig.pack');
    const again = await loadKconfigTree({ source: tb, arch: 'x86_64', cacheDir: cache, crossCompile: 'other-' }); // not the tree kept in memory
    expect(again.readSource('arch/x86/Kconfig')).toBe('config X86\n\tdef_bool y\n');
    expect(readFileSync(packFile).length).toBe(whole.length);

    // a folder without its manifest (killed before the end) is not used
    rmSync(path.join(root, '.manifest.json'));
    expect(await damagedSubsetFiles(root)).toEqual(['.manifest.json']);
    expect(existsSync(path.join(await extractKconfigSubset(tb, cache), '.manifest.json'))).toBe(true);
  });

  it('streams a .tar.xz through xz reading the file itself, names the subset by the tarball sha256, and fails a corrupt one with nothing left', async () => {
    tarball();
    const tar = path.join(dir, 'xz', 'linux-6.12.1.tar');
    mkdirSync(path.dirname(tar), { recursive: true });
    execFileSync('tar', ['-cf', tar, '-C', path.join(dir, 'src'), 'linux-6.12.1']);
    execFileSync('xz', ['-T0', tar]);
    const xzFile = `${tar}.xz`;
    const cache = path.join(dir, 'xz-cache');
    expect(await cachedSubsetFolder(xzFile, cache)).toBeUndefined();
    const root = await extractKconfigSubset(xzFile, cache);
    const sha = createHash('sha256').update(readFileSync(xzFile)).digest('hex');
    expect(path.basename(root)).toBe(`${sha}-v4`);
    expect(await cachedSubsetFolder(xzFile, cache)).toBe(root);
    expect((await readSubsetFile(root, 'arch/x86/Kconfig'))?.toString()).toBe('config X86\n\tdef_bool y\n');

    const bad = path.join(dir, 'xz', 'linux-bad.tar.xz');
    const bytes = readFileSync(xzFile);
    bytes.fill(0x55, 64, bytes.length - 64);
    writeFileSync(bad, bytes);
    await expect(extractKconfigSubset(bad, cache)).rejects.toThrow(/linux-bad\.tar\.xz: cannot read tarball/);
    expect(readdirSync(path.join(cache, 'kconfig-trees')).filter((n) => n.startsWith('partial-'))).toEqual([]);
    expect(await cachedSubsetFolder(bad, cache)).toBeUndefined();
  });
});
