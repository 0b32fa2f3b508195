import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('kplay srpm and a base tarball the variant names', () => {
  it('runs no Kconfig macro of a tarball from outside kernel.org, and says the checks did not run', async () => {
    const marker = path.join(dir, 'pwned');
    const top = path.join(dir, 'src', 'linux-6.1.1');
    mkdirSync(top, { recursive: true });
    writeFileSync(path.join(top, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\nEXTRAVERSION =\n');
    writeFileSync(path.join(top, 'Kconfig'), `mainmenu "x"\nconfig EVIL\n\tstring\n\tdefault "$(shell,touch ${marker})"\n`);
    const tarball = path.join(dir, 'linux-6.1.1.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', path.join(dir, 'src'), 'linux-6.1.1']);
    const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
    const root = await makeFixtureRepo({
      'variants/v.yml': [
        'name: v',
        'summary: test kernel',
        'base:',
        '  kind: vanilla',
        '  version: "6.1.1"',
        '  source:',
        `    url: "file://${tarball}"`,
        `    sha256: ${sha256}`,
        '  config:',
        '    x86_64: defconfig',
        'arches: [x86_64]',
        'changelog:',
        '  - { date: "2026-11-20", author: "A <a@b.c>", text: "first" }',
      ].join('\n'),
    });
    try {
      const r = await runKplay(['srpm', 'variants/v.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: path.join(dir, 'cache') } });
      expect(existsSync(marker)).toBe(false);
      expect(r.stderr).toMatch(/W_SRPM_UNCHECKED: .*comes from file:\/\/.*not from kernel\.org.*--kernel-source/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('trusts only https URLs under kernel.org’s release folders', () => {
    for (const url of [
      'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.192.tar.xz',
      'https://www.kernel.org/pub/linux/kernel/v6.x/linux-6.12.tar.xz',
      'https://mirrors.edge.kernel.org/pub/linux/kernel/v6.x/linux-6.12.1.tar.xz',
    ])
      expect(isTrustedKernelOrigin(url), url).toBe(true);
    for (const url of [
      'http://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.tar.xz',
      'https://cdn.kernel.org.evil.example/pub/linux/kernel/linux-6.1.tar.xz',
      'https://cdn.kernel.org@evil.example/pub/linux/kernel/linux-6.1.tar.xz',
      'https://evil.example/?https://cdn.kernel.org/pub/linux/kernel/linux-6.1.tar.xz',
      'https://cdn.kernel.org/pub/linux/kernel/../../people/x/linux-6.1.tar.xz',
      'https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.1.tar.xz?x=1',
      'file:///usr/src/linux-source-6.1.tar.xz',
      'https://git.kernel.org/torvalds/t/linux-6.13-rc1.tar.gz',
    ])
      expect(isTrustedKernelOrigin(url), url).toBe(false);
  });
});
