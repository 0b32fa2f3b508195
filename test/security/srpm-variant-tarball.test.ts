import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTrustedKernelOrigin } from '../../src/rpm/srpm-sources.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

/**
 * `kplay srpm` checks a variant against the base tarball it packs. A variant (a pull request) can
 * name any URL with a matching sha256, and a tarball's Kconfig macros are shell commands: kplay
 * runs them only for kernel.org's releases, or for a tree the user names with --kernel-source.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'kplay-srpm-tarball-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tarball whose Kconfig creates `marker` when its macros run. */
function evilTarball(name: string, top: string, marker: string, compress: 'z' | 'J' = 'z'): string {
  const src = path.join(dir, `src-${name}`);
  mkdirSync(path.join(src, top), { recursive: true });
  writeFileSync(path.join(src, top, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\nEXTRAVERSION =\n');
  writeFileSync(path.join(src, top, 'Kconfig'), `mainmenu "x"\nconfig EVIL\n\tstring\n\tdefault "$(shell,touch ${marker})"\n`);
  const file = path.join(dir, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', [`-c${compress}f`, file, '-C', src, top]);
  return file;
}

const sha256Of = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function vanillaVariant(url: string, sha256: string): string {
  return [
    'name: v',
    'summary: test kernel',
    'base:',
    '  kind: vanilla',
    '  version: "6.1.1"',
    '  source:',
    `    url: "${url}"`,
    `    sha256: ${sha256}`,
    '  config:',
    '    x86_64: defconfig',
    'arches: [x86_64]',
    'changelog:',
    '  - { date: "2026-11-20", author: "A <a@b.c>", text: "first" }',
  ].join('\n');
}

describe('kplay srpm and a base tarball the variant names', () => {
  it('runs no Kconfig macro of a tarball from outside kernel.org, and says the checks did not run', async () => {
    const marker = path.join(dir, 'pwned-file-url');
    const tarball = evilTarball('linux-6.1.1.tar.gz', 'linux-6.1.1', marker);
    const root = await makeFixtureRepo({ 'variants/v.yml': vanillaVariant(`file://${tarball}`, sha256Of(tarball)) });
    try {
      const r = await runKplay(['srpm', 'variants/v.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: path.join(dir, 'cache-1') } });
      expect(existsSync(marker)).toBe(false);
      expect(r.stderr).toMatch(
        /W_SRPM_UNCHECKED: .*not downloaded from a kernel\.org release folder \(it came from file:\/\/.*--kernel-source/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('a kernel.org URL does not vouch for bytes the cache got elsewhere (same digest) or for --sources-dir files', async () => {
    const marker = path.join(dir, 'pwned-cache');
    const tarball = evilTarball('linux-6.1.1.tar.xz', 'linux-6.1.1', marker, 'J');
    const sha = sha256Of(tarball);
    const cache = path.join(dir, 'cache-2');
    const kernelOrg = 'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.1.tar.xz';
    const root = await makeFixtureRepo({
      'variants/a.yml': vanillaVariant(`file://${tarball}`, sha).replace('name: v', 'name: a'),
      'variants/b.yml': vanillaVariant(kernelOrg, sha).replace('name: v', 'name: b'),
    });
    const sources = path.join(dir, 'sources-dir');
    mkdirSync(sources, { recursive: true });
    writeFileSync(path.join(sources, 'linux-6.1.1.tar.xz'), readFileSync(tarball));
    try {
      // a's run puts the bytes in the cache; b names kernel.org with the same digest: a cache hit
      const a = await runKplay(['srpm', 'variants/a.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: cache } });
      expect(a.stderr).toMatch(/W_SRPM_UNCHECKED/);
      const b = await runKplay(['srpm', 'variants/b.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: cache } });
      expect(existsSync(marker)).toBe(false);
      expect(b.stderr).toMatch(/W_SRPM_UNCHECKED: .*not downloaded from a kernel\.org release folder/);
      // the same file given with --sources-dir (a fresh cache: nothing downloaded from anywhere)
      const c = await runKplay(['srpm', 'variants/b.yml', '--sources-dir', sources], {
        cwd: root,
        env: { KPLAY_CACHE_DIR: path.join(dir, 'cache-3') },
      });
      expect(existsSync(marker)).toBe(false);
      expect(c.stderr).toMatch(/W_SRPM_UNCHECKED: .*came from .*sources-dir/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);

  it('an overlay runs no Kconfig macro of a tarball in the package folder the variant points at', async () => {
    const marker = path.join(dir, 'pwned-overlay');
    const { ROOT_OF_REPO } = await import('../support/fixture-repo.js');
    const root = await makeFixtureRepo({
      'variants/o.yml': [
        'name: o',
        'summary: overlay',
        'base:',
        '  kind: fedora',
        '  path: ../pkg',
        'arches: [x86_64]',
        'buildid: .o',
        'changelog:',
        '  - { date: "2026-11-20", author: "A <a@b.c>", text: "first" }',
      ].join('\n'),
    });
    const pkg = path.join(root, 'pkg');
    cpSync(path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/fedora-6.17'), pkg, { recursive: true });
    rmSync(path.join(pkg, 'sources'));
    const evil = evilTarball('linux-6.17.7.tar.xz', 'linux-6.17.7', marker, 'J');
    cpSync(evil, path.join(pkg, 'linux-6.17.7.tar.xz'));
    try {
      const r = await runKplay(['srpm', 'variants/o.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: path.join(dir, 'cache-4') } });
      expect(existsSync(marker)).toBe(false);
      expect(r.stderr).toMatch(/W_SRPM_UNCHECKED: .*linux-6\.17\.7\.tar\.xz was not downloaded from the distribution's lookaside cache/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);

  it('trusts only https URLs of kernel.org’s release folders', () => {
    for (const url of [
      'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.192.tar.xz',
      'https://www.kernel.org/pub/linux/kernel/v6.x/linux-6.12.tar.xz',
      'https://mirrors.edge.kernel.org/pub/linux/kernel/v6.x/linux-6.12.1.tar.xz',
      'https://cdn.kernel.org/pub/linux/kernel/v6.x/testing/linux-6.13-rc1.tar.gz',
    ])
      expect(isTrustedKernelOrigin(url), url).toBe(true);
    for (const url of [
      'http://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.tar.xz',
      'https://cdn.kernel.org.evil.example/pub/linux/kernel/v6.x/linux-6.1.tar.xz',
      'https://cdn.kernel.org@evil.example/pub/linux/kernel/v6.x/linux-6.1.tar.xz',
      'https://user@cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.tar.xz',
      'https://cdn.kernel.org:8443/pub/linux/kernel/v6.x/linux-6.1.tar.xz',
      'https://evil.example/?https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.tar.xz',
      'https://cdn.kernel.org/pub/linux/kernel/../../people/x/linux-6.1.tar.xz',
      'https://cdn.kernel.org/pub/linux/kernel/%2e%2e/%2e%2e/%2e%2e/pub/scm/x/linux-6.1.tar.xz',
      'https://cdn.kernel.org/pub/linux/kernel/people/someone/linux-6.1.tar.xz',
      'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.tar.xz?x=1',
      'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.tar.xz#frag',
      'file:///usr/src/linux-source-6.1.tar.xz',
      '/home/me/linux-6.1.tar.xz',
      '',
      'https://git.kernel.org/torvalds/t/linux-6.13-rc1.tar.gz',
    ])
      expect(isTrustedKernelOrigin(url), url).toBe(false);
  });
});
