import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TarEntryParser, type TarEntry } from '../../../src/sources/tar-entry-parser.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-tar-'));
const longDir = `linux-1/${'deep/'.repeat(30)}x`;
mkdirSync(path.join(dir, longDir), { recursive: true });
mkdirSync(path.join(dir, 'linux-1', 'scripts'), { recursive: true });
writeFileSync(path.join(dir, 'linux-1', 'Kconfig'), 'config A\n\tbool "a"\n');
writeFileSync(path.join(dir, longDir, 'Kconfig'), 'x'.repeat(1500));
writeFileSync(path.join(dir, 'linux-1', 'scripts', 'tool.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
writeFileSync(path.join(dir, 'linux-1', 'skip.c'), 'int x;\n'.repeat(300));
writeFileSync(path.join(dir, 'linux-1', 'empty'), '');

function parse(format: string, chunk: number): TarEntry[] {
  const tarball = path.join(dir, `t-${format}.tar`);
  execFileSync('tar', [`--format=${format}`, '-cf', tarball, '-C', dir, 'linux-1']);
  const data = readFileSync(tarball);
  const out: TarEntry[] = [];
  const p = new TarEntryParser(
    (n) => !n.endsWith('.c'),
    (e) => out.push(e),
  );
  for (let i = 0; i < data.length; i += chunk) p.push(data.subarray(i, i + chunk));
  p.end();
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

describe('tar entry parser', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const format of ['gnu', 'pax']) {
    it(`keeps the wanted regular files of a ${format} archive, any chunking`, () => {
      for (const chunk of [1, 100, 512, 4096, 1 << 20]) {
        const entries = parse(format, chunk);
        expect(entries.map((e) => e.name)).toEqual(
          ['linux-1/empty', 'linux-1/Kconfig', `${longDir}/Kconfig`, 'linux-1/scripts/tool.sh'].sort(),
        );
        expect(entries.find((e) => e.name === `${longDir}/Kconfig`)!.data.toString()).toBe('x'.repeat(1500));
        expect(entries.find((e) => e.name.endsWith('tool.sh'))!.mode & 0o111).not.toBe(0);
        expect(entries.find((e) => e.name.endsWith('empty'))!.data.length).toBe(0);
      }
    });
  }

  it('fails on a truncated archive', () => {
    const tarball = path.join(dir, 'short.tar');
    execFileSync('tar', ['--format=gnu', '-cf', tarball, '-C', dir, 'linux-1/skip.c']);
    const p = new TarEntryParser(
      () => true,
      () => undefined,
    );
    p.push(readFileSync(tarball).subarray(0, 700));
    expect(() => p.end()).toThrow(/unexpected end/);
  });
});

describe('readTarballEntries (the one tar reader, over a decompressor)', () => {
  it('keeps the wanted files of a .tar.gz and a plain .tar, relative to the top folder', async () => {
    const { readTarballEntries } = await import('../../../src/sources/tarball-entries.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-tar-read-'));
    mkdirSync(path.join(dir, 'linux-1', 'scripts'), { recursive: true });
    writeFileSync(path.join(dir, 'linux-1', 'Kconfig'), 'config A\n\tbool "a"\n');
    writeFileSync(path.join(dir, 'linux-1', 'scripts', 'tool.sh'), '#!/bin/sh\n');
    writeFileSync(path.join(dir, 'linux-1', 'skip.c'), 'int x;\n');
    for (const name of ['r.tar.gz', 'r.tar']) {
      const tarball = path.join(dir, name);
      execFileSync('tar', [name.endsWith('.gz') ? '-czf' : '-cf', tarball, '-C', dir, 'linux-1']);
      const files = await readTarballEntries(tarball, (rel) => rel.startsWith('scripts/') || rel === 'Kconfig');
      expect([...files.keys()].sort()).toEqual(['Kconfig', 'scripts/tool.sh']);
      expect(files.get('Kconfig')!.toString()).toBe('config A\n\tbool "a"\n');
    }
    writeFileSync(path.join(dir, 'bad.tar.gz'), 'not gzip');
    await expect(readTarballEntries(path.join(dir, 'bad.tar.gz'), () => true)).rejects.toThrow(/cannot read tarball/);
    rmSync(dir, { recursive: true, force: true });
  });
});
