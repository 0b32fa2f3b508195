import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarballSubset } from '../../../src/patches/cached-tree-subset.js';

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

  it('reads the tarball every time without a cache folder', async () => {
    const r = await openTarballSubset(tarball, new Set(['Makefile']), undefined);
    expect(r.fromCache).toBe(false);
    expect((await r.tree.readFile('Makefile'))?.toString()).toBe('VERSION = 6\n');
  });
});
