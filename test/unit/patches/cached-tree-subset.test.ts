import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarballSubset } from '../../../src/patches/cached-tree-subset.js';
import { extractKconfigSubset, subsetPack } from '../../../src/sources/kconfig-cache.js';

describe('openTarballSubset', () => {
  let dir: string;
  let tarball: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-subset-'));
    await mkdir(path.join(dir, 'linux-6.1/fs'), { recursive: true });
    await writeFile(path.join(dir, 'linux-6.1/Makefile'), 'VERSION = 6\n');
    await writeFile(path.join(dir, 'linux-6.1/fs/a.c'), 'int a;\n');
    tarball = path.join(dir, 'linux-6.1.tar');
    await execa('tar', ['-cf', tarball, '-C', dir, 'linux-6.1']);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('streams the tarball for paths it has not seen, then serves them from the cache', async () => {
    const cache = path.join(dir, 'cache');
    const first = await openTarballSubset(tarball, new Set(['fs/a.c', 'fs/missing.c']), cache);
    expect(first.fromCache).toBe(false);
    expect((await first.tree.readFile('fs/a.c'))?.toString()).toBe('int a;\n');
    expect(await first.tree.readFile('fs/missing.c')).toBeUndefined();

    const second = await openTarballSubset(tarball, new Set(['fs/missing.c', 'fs/a.c']), cache);
    expect(second.fromCache).toBe(true);
    expect((await second.tree.readFile('fs/a.c'))?.toString()).toBe('int a;\n');
    expect(await second.tree.readFile('fs/missing.c')).toBeUndefined();

    const third = await openTarballSubset(tarball, new Set(['fs/a.c', 'Makefile']), cache);
    expect(third.fromCache).toBe(false);
    expect((await third.tree.readFile('Makefile'))?.toString()).toBe('VERSION = 6\n');
  });

  it("with kplay's cache folder, one decompression serves the patch check and the Kconfig subset", async () => {
    await mkdir(path.join(dir, 'gz/linux-6.1/fs'), { recursive: true });
    await writeFile(path.join(dir, 'gz/linux-6.1/Makefile'), 'VERSION = 6\n');
    await writeFile(path.join(dir, 'gz/linux-6.1/Kconfig'), 'config A\n\tbool "a"\n');
    await writeFile(path.join(dir, 'gz/linux-6.1/fs/a.c'), 'int a;\n');
    const tgz = path.join(dir, 'linux-6.1.tar.gz');
    await execa('tar', ['-czf', tgz, '-C', path.join(dir, 'gz'), 'linux-6.1']);
    // a gzip on PATH that logs each run
    const bin = path.join(dir, 'bin');
    const log = path.join(dir, 'gzip.log');
    await mkdir(bin);
    const real = (await execa('sh', ['-c', 'command -v gzip'])).stdout.trim();
    await writeFile(path.join(bin, 'gzip'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const runs = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
    try {
      const cache = path.join(dir, 'kplay-cache');
      const r = await openTarballSubset(tgz, new Set(['fs/a.c']), path.join(cache, 'tree-subsets'), cache);
      expect((await r.tree.readFile('fs/a.c'))?.toString()).toBe('int a;\n');
      expect(await runs()).toBe(1);
      const folder = await extractKconfigSubset(tgz, cache); // already there: no second decompression
      expect(await runs()).toBe(1);
      expect(subsetPack(folder)?.text('Kconfig')).toBe('config A\n\tbool "a"\n');
      // a path the cache has not seen: the tarball again, the Kconfig subset left as it is
      const again = await openTarballSubset(tgz, new Set(['Makefile']), path.join(cache, 'tree-subsets'), cache);
      expect((await again.tree.readFile('Makefile'))?.toString()).toBe('VERSION = 6\n');
      expect(await runs()).toBe(2);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('reads the tarball every time without a cache folder', async () => {
    const r = await openTarballSubset(tarball, new Set(['Makefile']), undefined);
    expect(r.fromCache).toBe(false);
    expect((await r.tree.readFile('Makefile'))?.toString()).toBe('VERSION = 6\n');
  });
});
