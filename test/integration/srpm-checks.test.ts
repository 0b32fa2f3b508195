import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { extractedKernelTree, LINUX_61_TARBALL } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { sha256File } from '../support/test-files.js';

/**
 * `kplay srpm` checks the variant against the kernel tarball the SRPM carries (or --kernel-source),
 * before building it.
 * Uses Debian's real linux-source-6.1 (apt-get install linux-source-6.1): WireGuard requested
 * built-in while IPv6 is a module cannot be met (WIREGUARD depends on IPV6 || !IPV6).
 */
describe('kplay srpm runs the Kconfig and patch checks against the tarball it packs', () => {
  let root: string;
  let cache: string;
  beforeAll(async () => {
    if (!existsSync(LINUX_61_TARBALL)) throw new Error(`${LINUX_61_TARBALL} is missing: apt-get install linux-source-6.1`);
    cache = await mkdtemp(path.join(os.tmpdir(), 'kplay-srpm-check-cache-'));
    const sha256 = await sha256File(LINUX_61_TARBALL);
    root = await makeFixtureRepo({
      'features/wg/feature.yml': 'summary: wireguard built in\n',
      'features/wg/config': 'CONFIG_WIREGUARD=y\n',
      'variants/v.yml': [
        'name: v',
        'summary: test kernel',
        'base:',
        '  kind: vanilla',
        '  version: "6.1.0"',
        '  source:',
        `    url: "file://${LINUX_61_TARBALL}"`,
        `    sha256: ${sha256}`,
        '    topdir: linux-source-6.1',
        'arches: [x86_64]',
        'features: [wg]',
        'config:',
        '  CONFIG_IPV6: m',
        'changelog:',
        '  - { date: "2026-11-20", author: "A <a@b.c>", text: "first" }',
      ].join('\n'),
    });
  }, 60_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  });

  it('an unmet CONFIG_WIREGUARD=y is refused with E_KCONFIG_UNMET before any SRPM is built', async () => {
    // a file:// tarball is not kernel.org's: its Kconfig macros run only when the user names it
    const r = await runKplay(['srpm', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: cache },
    });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^features\/wg\/config:1:1: error E_KCONFIG_UNMET: CONFIG_WIREGUARD=y cannot be met/m);
    const out = await readdir(path.join(root, 'out', 'v')).catch(() => [] as string[]);
    expect(out.filter((n) => n.endsWith('.src.rpm'))).toEqual([]);
  }, 240_000);

  it('kplay check --kernel-source runs the same checks (without it the variant passes the static checks)', async () => {
    const tree = await extractedKernelTree(); // cached once per machine in the temp folder
    const plain = await runKplay(['check', 'variants/v.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: cache } });
    expect(plain.exitCode, plain.stderr).toBe(0);
    const r = await runKplay(['check', 'variants/v.yml', '--kernel-source', tree], { cwd: root, env: { KPLAY_CACHE_DIR: cache } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^features\/wg\/config:1:1: error E_KCONFIG_UNMET: CONFIG_WIREGUARD=y cannot be met/m);
  }, 240_000);
});
