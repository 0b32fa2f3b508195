import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

describe('type: kmod variants', () => {
  const temps: string[] = [];
  afterAll(async () => {
    for (const t of temps) await rm(t, { recursive: true, force: true });
  });
  it('kmod-wireguard: rpmspec -P shows the kmods SIG dependencies, xz compression and extra/drivers/net/wireguard', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'kplay-kmod-'));
    temps.push(out);
    const r = await runKplay(['compose', 'variants/kmod-wireguard.yml', '--out', out], { cwd: ROOT_OF_REPO });
    expect(r.exitCode, r.stderr).toBe(0);
    const spec = path.join(out, 'kmod-wireguard.spec');
    const parsed = (await execa('rpmspec', ['-P', spec, '--define', '_target_cpu x86_64', '--define', 'dist .el10'])).stdout;
    expect(parsed).toMatch(/^Name: +kmod-wireguard$/m);
    expect(parsed).toMatch(/^Version: +1\.0\.0$/m);
    expect(parsed).toMatch(/^Release: +1\.k55\.el10$/m);
    expect(parsed).toMatch(/^Requires: +\(kernel = 6\.12\.0-55\.el10 if kernel\)$/m);
    expect(parsed).toMatch(/^Supplements: +kernel = 6\.12\.0-55\.el10$/m);
    expect(parsed).toMatch(/^BuildRequires: +kernel-rpm-macros$/m);
    expect(parsed).toMatch(/^BuildRequires: +redhat-rpm-config$/m);
    expect(parsed).toMatch(/^BuildRequires: +kernel-devel-uname-r = 6\.12\.0-55\.el10\.x86_64$/m);
    expect(parsed).toMatch(
      /^find drivers\/net\/wireguard -name '\*\.ko' -exec \/usr\/bin\/install -D -m 644 -t \S+\/lib\/modules\/6\.12\.0-55\.el10\.x86_64\/extra\/drivers\/net\/wireguard \{\} \+$/m,
    );
    expect(parsed).toMatch(/^\/lib\/modules\/6\.12\.0-55\.el10\.x86_64\/extra\/drivers\/net\/wireguard$/m);
    // the SIG runs depmod on every install and removal, not only when a System.map is there
    expect(parsed).toMatch(/^%post\n\/usr\/sbin\/depmod -a 6\.12\.0-55\.el10\.x86_64 > \/dev\/null 2>&1 \|\| :$/m);
    expect(parsed).not.toMatch(/weak-modules/);
    expect(parsed).toMatch(/^ {2}x86_64\) options="CONFIG_WIREGUARD=m"; kcflags="" ;;$/m);
    // the modules are xz-compressed after stripping
    const text = await readFile(spec, 'utf8');
    expect(text).toMatch(/^%global __spec_install_post \\\n(.*\\\n)* {2}%\{__mod_compress_install_post\}$/m);
    expect(text).toMatch(/^%global __mod_compress_install_post find %\{buildroot\}\/lib\/modules -type f -name '\*\.ko' -exec xz -f/m);
    // a rebuild for another kernel needs no edit: Requires and Release follow kmod_kernel_version
    const other = (
      await execa('rpmspec', [
        '-q',
        '--srpm',
        '--qf',
        '%{release}\n[%{requirenevrs}\n]',
        spec,
        '--define',
        'kmod_kernel_version 6.12.0-60.el10',
        '--define',
        'dist .el10',
      ])
    ).stdout;
    expect(other.split('\n')[0]).toBe('1.k60.el10');
    expect(other).toContain('kernel-devel = 6.12.0-60.el10');
    const bin = (
      await execa('rpmspec', [
        '-q',
        '--qf',
        '[%{requirenevrs}\n][%{supplementnevrs}\n]',
        spec,
        '--define',
        'kmod_kernel_version 5.14.0-570.12.1.el9_6',
        '--define',
        'dist .el9',
        '--define',
        '_target_cpu x86_64',
      ])
    ).stdout;
    expect(bin).toContain('(kernel = 5.14.0-570.12.1.el9_6 if kernel)');
    const rel = (
      await execa('rpmspec', [
        '-q',
        '--srpm',
        '--qf',
        '%{release}',
        spec,
        '--define',
        'kmod_kernel_version 5.14.0-570.12.1.el9_6',
        '--define',
        'dist .el9',
      ])
    ).stdout;
    expect(rel).toBe('1.k570_12_1.el9');
  });

  it('packaging: elrepo keeps weak-modules, kernel >= V and the depmod override', async () => {
    const root = await makeFixtureRepo({
      'variants/m.yml': [
        'name: m',
        'type: kmod',
        'summary: "mptsas %(echo no)"',
        'kmod:',
        '  kernel-version: "5.14.0-570.el9"',
        '  packaging: elrepo',
        '  source: { url: "https://example.org/linux-5.14.tar.xz" }',
        '  modules: { mptsas: [drivers/message/fusion] }',
        'arches: [x86_64]',
        'features: [mptsas]',
      ].join('\n'),
      'features/mptsas/feature.yml': 'summary: mptsas\n',
      'features/mptsas/config': 'CONFIG_FUSION_SAS=m\n',
    });
    temps.push(root);
    const r = await runKplay(['compose', 'variants/m.yml'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(0);
    const parsed = (await execa('rpmspec', ['-P', path.join(root, 'out/m/kmod-m.spec'), '--define', '_target_cpu x86_64'])).stdout;
    expect(parsed).toMatch(/^Requires: +kernel >= 5\.14\.0-570\.el9$/m);
    // ELRepo's el9 specs (drbd84-kmod): stablelists at build time, kernel-core-uname-r, the initramfs once in %posttrans
    expect(parsed).toMatch(/^BuildRequires: +kernel-abi-stablelists$/m);
    expect(parsed).not.toMatch(/^Requires: +kernel-abi-stablelists$/m);
    expect(parsed).toMatch(/^Requires: +kernel-core-uname-r >= 5\.14\.0-570\.el9\.x86_64$/m);
    expect(parsed).toMatch(/^%posttrans\n(.*\n){1,8}\s+dracut -f --kver/m);
    expect(parsed).toMatch(/weak-modules --add-modules/);
    expect(parsed).toMatch(/override \$\(basename \$ko \.ko\) \* weak-updates\/m/);
    expect(parsed).toMatch(/-t \S+\/lib\/modules\/5\.14\.0-570\.el9\.x86_64\/extra\/m \{\} \+$/m);
    expect(parsed).not.toMatch(/Supplements/);
    expect(parsed).toContain('Summary:        mptsas %(echo no)');
  });

  it('a =y request in a kmod feature is an error before anything is written (no kernel source needed)', async () => {
    const root = await makeFixtureRepo({
      'variants/kmod-mptsas.yml':
        'name: kmod-mptsas\ntype: kmod\nsummary: s\nkmod:\n  kernel-version: "5.14.0-570.el9"\n  source: { url: "https://example.org/linux-5.14.tar.xz" }\n  modules: { mptsas: [drivers/message/fusion] }\narches: [x86_64]\nfeatures: [mptsas]\n',
      'features/mptsas/feature.yml': 'summary: mptsas\n',
      'features/mptsas/config': 'CONFIG_FUSION=y\nCONFIG_FUSION_SAS=m\n',
    });
    temps.push(root);
    const r = await runKplay(['compose', 'variants/kmod-mptsas.yml'], { cwd: root });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /features\/mptsas\/config:1:\d+: error E_KMOD_BUILTIN_REQUEST: CONFIG_FUSION=y asks for code built into the kernel/,
    );
    // without the module folders kplay cannot tell a bool of the module (allowed) from core kernel code: it says so
    expect(r.stderr).toMatch(/without --kernel-source kplay cannot see whether FUSION is an option of the module folders/);
    expect(r.stderr).toMatch(/hint: give --kernel-source: a =y option declared in the module folders' Kconfig is built into the module/);
  });

  it('an extra dependency rpm would read otherwise is refused on its variant line', async () => {
    const root = await makeFixtureRepo({
      'variants/m.yml':
        'name: m\ntype: kmod\nsummary: s\nkmod:\n  kernel-version: "5.14.0-570.el9"\n  source: { url: "https://example.org/linux-5.14.tar.xz" }\n  modules: { f: [drivers/f] }\n  supplements: [ok-tools]\n  requires: ["a, b", "(x if y"]\narches: [x86_64]\nfeatures: [f]\n',
      'features/f/feature.yml': 'summary: f\n',
      'features/f/config': 'CONFIG_F=m\n',
    });
    temps.push(root);
    const r = await runKplay(['compose', 'variants/m.yml'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/variants\/m\.yml:9:\d+: error E_SPEC_VALUE: kmod requires 'a, b'/);
    expect(r.stderr).toMatch(/variants\/m\.yml:9:\d+: error E_SPEC_VALUE: kmod requires '\(x if y'/);
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  });

  it('a kmod source whose digest no longer holds: E_SOURCE_CHECKSUM on the kmod.source line, the hint naming kmod.source.sha256', async () => {
    const root = await makeFixtureRepo({
      'variants/k.yml':
        'name: k\ntype: kmod\nsummary: s\nkmod:\n  kernel-version: "5.14.0-570.el9"\n  source:\n    url: file:///etc/hostname\n    sha256: "0000000000000000000000000000000000000000000000000000000000000000"\n  modules: { f: [drivers/f] }\narches: [x86_64]\nfeatures: [f]\n',
      'features/f/feature.yml': 'summary: f\n',
      'features/f/config': 'CONFIG_F=m\n',
    });
    temps.push(root);
    const r = await runKplay(['srpm', 'variants/k.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: path.join(root, 'cache') } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/variants\/k\.yml:7:\d+: error E_SOURCE_CHECKSUM: /);
    expect(r.stderr).toMatch(/hint: .*check kmod\.source\.sha256/);
  });

  it('the shipped kmod-wireguard pins no digest of a system file: srpm says E_SOURCE_UNVERIFIED on its source line and writes nothing', async () => {
    const text = await readFile(path.join(ROOT_OF_REPO, 'variants/kmod-wireguard.yml'), 'utf8');
    expect(text).not.toMatch(/^\s*sha256:/m);
    // located where kmod.source's value starts (its url line, under `source:`)
    const sourceLine = text.split('\n').findIndex((l) => /^ {4}url: file:\/\/\/usr\/src\/linux-source-6\.12\.tar\.xz$/.test(l)) + 1;
    const out = await mkdtemp(path.join(os.tmpdir(), 'kplay-kmod-'));
    temps.push(out);
    const r = await runKplay(['srpm', 'variants/kmod-wireguard.yml', '--out', path.join(out, 'o')], {
      cwd: ROOT_OF_REPO,
      env: { KPLAY_CACHE_DIR: path.join(out, 'cache') },
    });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`variants/kmod-wireguard\\.yml:${sourceLine}:\\d+: error E_SOURCE_UNVERIFIED: `));
    expect(r.stderr).toMatch(
      /hint: add kmod\.source\.sha256 to the variant, or download linux-source-6\.12\.tar\.xz yourself and pass --sources-dir DIR/,
    );
    expect(existsSync(path.join(out, 'o'))).toBe(false);
  });

  it('a feature without module folders is a finding', async () => {
    const root = await makeFixtureRepo({
      'variants/m.yml':
        'name: m\ntype: kmod\nsummary: s\nkmod:\n  kernel-version: "6.1.0-26"\n  source: { url: "https://example.org/linux-6.1.tar.xz" }\n  modules: {}\narches: [x86_64]\nfeatures: [f]\n',
      'features/f/feature.yml': 'summary: f\n',
    });
    const r = await runKplay(['compose', 'variants/m.yml'], { cwd: root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/variants\/m\.yml:9:\d+: error E_KMOD_NO_MODULES/);
  });
});
