import { execa } from 'execa';
import { cp, mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO, variantYaml } from '../support/fixture-repo.js';
import { KERNEL_TIER_KPLAY_CACHE, LINUX_61_TARBALL, requireSystemFile } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';
import { sha256File } from '../support/test-files.js';
import { loadKconfigTree } from '../../src/kconfig/load-kconfig-tree.js';

const PATCHES = path.join(ROOT_OF_REPO, 'test/fixtures/patches');

async function featureFrom(root: string, name: string, fixture: string): Promise<void> {
  await mkdir(path.join(root, 'features', name), { recursive: true });
  await cp(path.join(PATCHES, fixture, 'patches'), path.join(root, 'features', name, 'patches'), { recursive: true });
  await writeFile(path.join(root, 'features', name, 'feature.yml'), `summary: ${name}\n`);
}

/**
 * A kdbus-style feature patch on Linux 6.1: a tristate KDBUS at the top of init/Kconfig (whose
 * first lines are the SPDX line, `config CC_VERSION_TEXT`, `string`), optionally with a `select`
 * and a line added to the top of the x86_64 defconfig (`CONFIG_WERROR=y`, `CONFIG_SYSVIPC=y`, ...).
 */
function kdbusPatch(o: { depends: string; select?: string; defconfig?: string }): string {
  const added = [
    '+config KDBUS',
    '+\ttristate "kdbus interprocess communication"',
    `+\tdepends on ${o.depends}`,
    ...(o.select ? [`+\tselect ${o.select}`] : []),
    '+\thelp',
    '+\t  A message bus in the kernel.',
    '+',
  ];
  return [
    'From: kplay tests <kplay@example.org>',
    `Subject: [PATCH] kdbus: Kconfig entry${o.defconfig ? ', on in the defconfig' : ''}`,
    '',
    '---',
    ...(o.defconfig
      ? [
          'diff --git a/arch/x86/configs/x86_64_defconfig b/arch/x86/configs/x86_64_defconfig',
          '--- a/arch/x86/configs/x86_64_defconfig',
          '+++ b/arch/x86/configs/x86_64_defconfig',
          '@@ -1,3 +1,4 @@',
          ' CONFIG_WERROR=y',
          `+${o.defconfig}`,
          ' CONFIG_SYSVIPC=y',
          ' CONFIG_POSIX_MQUEUE=y',
        ]
      : []),
    'diff --git a/init/Kconfig b/init/Kconfig',
    '--- a/init/Kconfig',
    '+++ b/init/Kconfig',
    `@@ -1,3 +1,${3 + added.length} @@`,
    ' # SPDX-License-Identifier: GPL-2.0-only',
    ...added,
    ' config CC_VERSION_TEXT',
    ' \tstring',
    '',
  ].join('\n');
}

/** A fixture repository whose variant has one feature, kdbus, with `patch` and CONFIG_KDBUS=m. */
function kdbusRepo(patch: string, name: string): Promise<string> {
  return makeFixtureRepo({
    'variants/v.yml': variantYaml({ features: ['kdbus'] }),
    'features/kdbus/feature.yml': 'summary: kdbus\n',
    'features/kdbus/series': `${name}\n`,
    [`features/kdbus/patches/${name}`]: patch,
    'features/kdbus/config': 'CONFIG_KDBUS=m\n',
  });
}

describe('compose against the real Linux 6.1 source', () => {
  let cache: string;
  beforeAll(() => {
    requireSystemFile(LINUX_61_TARBALL);
    // shared with the other kernel tests and kept across runs: the Kconfig subset of the tarball
    // and the parsed trees are made once (matrix-debian and overlay-kernel-source reuse them)
    cache = KERNEL_TIER_KPLAY_CACHE;
  });
  const env = () => ({ KPLAY_CACHE_DIR: cache });

  it('the shipped playground variants compose with Kconfig and patch checks and no findings', async () => {
    for (const v of ['playground', 'playground-plus']) {
      const out = await tempDir(`kplay-k-${v}-`);
      const r = await runKplay(['compose', `variants/${v}.yml`, '--kernel-source', LINUX_61_TARBALL, '--out', out, '--json'], {
        cwd: ROOT_OF_REPO,
        env: env(),
      });
      const report = JSON.parse(r.stdout) as { exitCode: number; findings: unknown[]; checks: Record<string, string> };
      expect(report.findings).toEqual([]);
      expect(report.exitCode).toBe(0);
      expect(report.checks.kconfig).toMatch(/^resolved like make olddefconfig .*x86_64, aarch64$/);
      expect(report.checks.patches).toMatch(/^1\/1 patch\(es\) apply/);
      const config = await readFile(path.join(out, 'kplay-x86_64.config'), 'utf8');
      expect(config).toMatch(/^CONFIG_WIREGUARD=m$/m);
      expect(config).toMatch(/^CONFIG_OVERLAY_FS_METACOPY=y$/m);
      if (v === 'playground-plus') expect(config).toMatch(/^CONFIG_FUSION_SAS=m$/m);
    }
  });

  it('WIREGUARD requested while another feature disables NET: one E_KCONFIG_UNMET naming the NET line, exit 1', async () => {
    const root = await makeFixtureRepo({
      'variants/v.yml': variantYaml({ features: ['wg', 'nonet'] }),
      'features/wg/feature.yml': 'summary: wg\n',
      'features/wg/config': 'CONFIG_WIREGUARD=m\n',
      'features/nonet/feature.yml': 'summary: no network\n',
      'features/nonet/config': '# a tiny kernel\n# CONFIG_NET is not set\n',
    });
    const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL], { cwd: root, env: env() });
    expect(r.exitCode).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => / error [A-Z_]+:/.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^features\/wg\/config:1:1: error E_KCONFIG_UNMET: CONFIG_WIREGUARD=m cannot be met: depends on .*NET.*, and .*NET=n/,
    );
    expect(r.stderr).toMatch(/^ {2}features\/nonet\/config:2:1: note: CONFIG_NET=n set by feature nonet$/m);
  });

  it('a feature whose patch adds a Kconfig symbol (kdbus-style): resolved, explained and re-resolved when the patch changes', async () => {
    // init/Kconfig of 6.1 begins with the SPDX line and `config CC_VERSION_TEXT` / `string`
    const root = await kdbusRepo(kdbusPatch({ depends: 'TMPFS' }), '0001-kdbus-kconfig.patch');
    try {
      const out = path.join(root, 'out');
      const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL, '--out', out], { cwd: root, env: env() });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(await readFile(path.join(out, 'kplay-x86_64.config'), 'utf8')).toMatch(/^CONFIG_KDBUS=m$/m);

      const x = await runKplay(['explain', 'variants/v.yml', 'CONFIG_KDBUS', '--kernel-source', LINUX_61_TARBALL], {
        cwd: root,
        env: env(),
      });
      expect(x.exitCode, x.stderr).toBe(0);
      expect(x.stdout).toMatch(/^CONFIG_KDBUS=m \(tristate\)$/m);
      expect(x.stdout).toMatch(/defined at init\/Kconfig:2: "kdbus interprocess communication"/);
      expect(x.stdout).toMatch(/depends on \[y\]: TMPFS/);

      const v = await runKplay(
        ['compose', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL, '--out', path.join(root, 'out-v'), '--verify-kconfig'],
        {
          cwd: root,
          env: env(),
        },
      );
      expect(v.exitCode, v.stderr).toBe(0);
      expect(v.stderr).toMatch(/warning W_KCONFIG_NOT_VERIFIED: --verify-kconfig: not run: the features' patches change Kconfig files/);

      // the same cache, the patch changed: the stored patched tree is not reused
      await writeFile(path.join(root, 'features/kdbus/patches/0001-kdbus-kconfig.patch'), kdbusPatch({ depends: 'TMPFS && BROKEN' }));
      const broken = await runKplay(['compose', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL], { cwd: root, env: env() });
      expect(broken.exitCode).toBe(1);
      expect(broken.stderr).toMatch(
        /^features\/kdbus\/config:1:1: error E_KCONFIG_UNMET: CONFIG_KDBUS=m cannot be met: depends on TMPFS && BROKEN/m,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("a feature patch changing Kconfig and a defconfig: compose's resolved config equals conf's on the really patched tree", async () => {
    const root = await kdbusRepo(
      kdbusPatch({ depends: 'TMPFS', select: 'TMPFS_XATTR', defconfig: 'CONFIG_IKCONFIG=y' }),
      '0001-kdbus.patch',
    );
    try {
      const out = path.join(root, 'out');
      const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL, '--out', out], { cwd: root, env: env() });
      expect(r.exitCode, r.stderr).toBe(0);
      const composed = await readFile(path.join(out, 'kplay-x86_64.config'), 'latin1');
      expect(composed).toMatch(/^CONFIG_KDBUS=m$/m);
      expect(composed).toMatch(/^CONFIG_TMPFS_XATTR=y$/m);
      expect(composed).toMatch(/^CONFIG_IKCONFIG=y$/m);

      // the tarball's Kconfig files, patched for real, resolved by kplay and cross-checked by conf
      const patched = path.join(root, 'linux-patched');
      const subset = await loadKconfigTree({ source: LINUX_61_TARBALL, arch: 'x86_64', cacheDir: cache });
      subset.ensureOnDisk();
      await cp(subset.root, patched, { recursive: true });
      await execa('patch', ['-p1', '-s', '-d', patched, '-i', path.join(root, 'features/kdbus/patches/0001-kdbus.patch')]);
      const resolvedOut = path.join(root, 'resolved.config');
      const v = await runKplay(
        [
          'kconfig',
          'resolve',
          '--kernel-source',
          patched,
          '--arch',
          'x86_64',
          '--config',
          'defconfig',
          '--fragment',
          path.join(root, 'features/kdbus/config'),
          '--verify',
          '--out',
          resolvedOut,
        ],
        { env: env() },
      );
      expect(v.exitCode, v.stderr).toBe(0);
      expect(v.stderr).toMatch(/identical to the kernel's own conf --olddefconfig/);
      expect(composed).toBe(await readFile(resolvedOut, 'latin1'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('two features changing the same lines: E_PATCH_APPLY names both features, patches, file and lines, exit 1', async () => {
    const root = await makeFixtureRepo({ 'variants/v.yml': variantYaml({ features: ['nfs-export-on', 'nfs-export-guard'] }) });
    await featureFrom(root, 'nfs-export-on', 'conflicting/ovl-nfs-export-on');
    await featureFrom(root, 'nfs-export-guard', 'conflicting/ovl-nfs-export-guard');
    const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL], { cwd: root, env: env() });
    expect(r.exitCode).toBe(1);
    const apply = r.stderr.split('\n').find((l) => l.includes('error E_PATCH_APPLY'));
    expect(apply, r.stderr).toMatch(/^features\/nfs-export-guard\/patches\/0001-[^:]+\.patch:\d+/);
    expect(apply).toContain('fs/overlayfs/super.c');
    expect(apply).toMatch(/feature nfs-export-on\) changes lines? \d+/);
    expect(apply).toMatch(/\(feature nfs-export-guard\) expects/);
  });

  it('a feature patch already in the base: E_PATCH_ALREADY_APPLIED with a hint to drop it or narrow the range', async () => {
    const root = await makeFixtureRepo({ 'variants/v.yml': variantYaml({ features: ['rg650v'] }) });
    await featureFrom(root, 'rg650v', 'upstream/quectel-rg650v');
    const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', LINUX_61_TARBALL], { cwd: root, env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^features\/rg650v\/patches\/0001-[^:]+:\d+(:\d+)?: error E_PATCH_ALREADY_APPLIED/m);
    expect(r.stderr).toMatch(/hint: .*(drop|version range)/);
  });

  it('rpmbuild -bp runs the composed %prep on the real tarball: patches apply, configs resolve, the check passes', async () => {
    const tarSha = await sha256File(LINUX_61_TARBALL);
    const root = await makeFixtureRepo({
      'variants/v.yml': [
        'name: prep',
        'summary: prep test',
        'base:',
        '  kind: vanilla',
        '  version: "6.1.192"',
        '  source:',
        `    url: "file://${LINUX_61_TARBALL}"`,
        `    sha256: ${tarSha}`,
        '    topdir: linux-source-6.1',
        'arches: [x86_64]',
        'features: [overlayfs, wireguard]',
      ].join('\n'),
    });
    await cp(path.join(ROOT_OF_REPO, 'features/overlayfs'), path.join(root, 'features/overlayfs'), { recursive: true });
    await cp(path.join(ROOT_OF_REPO, 'features/wireguard'), path.join(root, 'features/wireguard'), { recursive: true });
    // a file:// tarball is not kernel.org's: the check runs against it only when named with --kernel-source
    const srpm = await runKplay(
      ['srpm', 'variants/v.yml', '--sources-dir', path.dirname(LINUX_61_TARBALL), '--kernel-source', LINUX_61_TARBALL],
      { cwd: root, env: env() },
    );
    expect(srpm.stderr).not.toMatch(/W_SRPM_UNCHECKED/);
    expect(srpm.exitCode, srpm.stderr).toBe(0);
    const out = path.join(root, 'out/prep');
    const top = await mkdtemp(path.join(os.tmpdir(), 'kplay-bp-'));
    try {
      const prep = await execa(
        'rpmbuild',
        [
          '-bp',
          '--nodeps',
          path.join(out, 'kernel-prep.spec'),
          '--define',
          `_topdir ${top}`,
          '--define',
          `_sourcedir ${out}`,
          '--define',
          `_builddir ${top}/BUILD`,
          '--target',
          'x86_64',
        ],
        { all: true, reject: false },
      );
      expect(prep.exitCode, String(prep.all).slice(-3000)).toBe(0);
      expect(prep.all).toContain('kplay: every requested config value survived olddefconfig');
      const tree = path.join(top, 'BUILD/linux-source-6.1');
      expect(await readFile(path.join(tree, 'fs/overlayfs/super.c'), 'utf8')).toContain('defaults: redirect_dir=%s');
      expect(await readFile(path.join(tree, '.config'), 'utf8')).toMatch(/^CONFIG_WIREGUARD=m$/m);
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  });
});
