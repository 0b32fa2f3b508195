import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { extractedKernelTree } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { rpmbuildSandboxed } from '../support/sandboxed-rpmbuild.js';

/**
 * kmod variants against a real kernel tree (Debian's linux-source-6.1, extracted once) and a real
 * kernel-devel (Debian's linux-headers-*-amd64: a 6.1 build tree with .config and Module.symvers).
 * Every finding comes from `kplay compose`, before any package is built.
 */
function debianHeaders(): string {
  const dirs = existsSync('/usr/src') ? readdirSync('/usr/src').filter((d: string) => /^linux-headers-6\.1\..*-amd64$/.test(d)) : [];
  if (!dirs.length) throw new Error('no /usr/src/linux-headers-6.1*-amd64: install the Debian package linux-headers-amd64 (bookworm)');
  return path.join('/usr/src', dirs.sort().at(-1)!);
}

const kmodVariant = (name: string, feature: string, dirs: string, extra = '') =>
  [
    `name: ${name}`,
    'type: kmod',
    `summary: ${name}`,
    'kmod:',
    '  kernel-version: "6.1.0-57"',
    '  source: { url: "https://example.org/linux-6.1.tar.xz" }',
    `  modules: { ${feature}: [${dirs}] }`,
    'arches: [x86_64]',
    `features: [${feature}]`,
    extra,
  ].join('\n');

describe('kmod before-build checks on a real 6.1 tree and kernel-devel', () => {
  let tree: string;
  let headers: string;
  const temps: string[] = [];
  beforeAll(async () => {
    tree = await extractedKernelTree();
    headers = debianHeaders();
  });
  afterAll(async () => {
    for (const t of temps) await rm(t, { recursive: true, force: true });
  });
  const repo = async (files: Record<string, string>) => {
    const root = await makeFixtureRepo(files);
    temps.push(root);
    return root;
  };

  it('a deprecated driver (mptsas) whose module folder does not exist: E_KMOD_FOLDER_MISSING on the kmod.modules line, nothing written', async () => {
    const root = await repo({
      'variants/kmod-mptsas.yml': kmodVariant('kmod-mptsas', 'mptsas', 'drivers/message/fusionx'),
      'features/mptsas/feature.yml': 'summary: mptsas\n',
      'features/mptsas/config': 'CONFIG_FUSION_SAS=m\n',
    });
    const r = await runKplay(['compose', 'variants/kmod-mptsas.yml', '--kernel-source', tree], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /variants\/kmod-mptsas\.yml:7:\d+: error E_KMOD_FOLDER_MISSING: module folder drivers\/message\/fusionx of mptsas does not exist/,
    );
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  });

  it("mptsas asking for core SCSI code (=y, declared outside its folder) is an error with a hint; an option the target kernel's Kconfig does not know is E_KCONFIG_UNKNOWN", async () => {
    const root = await repo({
      'variants/kmod-mptsas.yml': kmodVariant('kmod-mptsas', 'mptsas', 'drivers/message/fusion'),
      'features/mptsas/feature.yml': 'summary: mptsas\n',
      // FUSION (the menu switch of drivers/message/fusion/Kconfig) is the module folder's own: allowed; SCSI_SAS_ATTRS is drivers/scsi's
      'features/mptsas/config': 'CONFIG_SCSI_SAS_ATTRS=y\nCONFIG_FUSION=y\nCONFIG_FUSION_SAS=m\nCONFIG_FUSION_SASX=m\n',
    });
    const r = await runKplay(['compose', 'variants/kmod-mptsas.yml', '--kernel-source', tree, '--kernel-devel', headers, '--json'], {
      cwd: root,
    });
    const report = JSON.parse(r.stdout) as {
      exitCode: number;
      findings: Array<{ code: string; message: string; hint?: string; where?: { file: string; line: number } }>;
      checks: Record<string, string>;
    };
    expect(report.exitCode).toBe(1);
    const builtin = report.findings.find((f) => f.code === 'E_KMOD_BUILTIN_REQUEST');
    expect(report.findings.filter((f) => f.code === 'E_KMOD_BUILTIN_REQUEST')).toHaveLength(1);
    expect(builtin?.message).toContain('CONFIG_SCSI_SAS_ATTRS=y');
    expect(builtin?.where?.file).toMatch(/features\/mptsas\/config$/);
    expect(builtin?.where?.line).toBe(1);
    expect(builtin?.hint).toMatch(/declared elsewhere, so it is core kernel code.*CONFIG_SCSI_SAS_ATTRS=m/);
    const unknown = report.findings.find((f) => f.message.includes('FUSION_SASX'));
    expect(unknown?.code).toBe('E_KCONFIG_UNKNOWN');
    expect(report.checks.kconfig).toMatch(/\.config \(x86_64\)/);
    expect(report.checks.build).toMatch(/skipped: earlier errors/);
  });

  it("without a kernel-devel, the distribution config (Debian's config.amd64_none_amd64.xz) is the target config: an option whose dependency is off there is reported", async () => {
    const config = '/usr/src/linux-config-6.1/config.amd64_none_amd64.xz';
    if (!existsSync(config)) throw new Error(`${config} is missing: install the Debian package linux-config-6.1`);
    const root = await repo({
      'variants/kmod-geode.yml': kmodVariant('kmod-geode', 'geode', 'arch/x86/kernel'),
      'features/geode/feature.yml': 'summary: an x86_32-only driver asked for on x86_64\n',
      'features/geode/config': 'CONFIG_FUSION_SAS=m\nCONFIG_SCx200=m\n',
    });
    const r = await runKplay(['compose', 'variants/kmod-geode.yml', '--kernel-source', tree, '--kernel-config', config, '--json'], {
      cwd: root,
    });
    const report = JSON.parse(r.stdout) as {
      exitCode: number;
      findings: Array<{ code: string; message: string; where?: { file: string; line: number } }>;
      checks: Record<string, string>;
    };
    expect(report.checks.kconfig).toMatch(/config\.amd64_none_amd64\.xz \(x86_64\)/);
    const lost = report.findings.filter((f) => f.code.startsWith('E_KCONFIG_'));
    expect(lost.map((f) => f.message).join('\n')).toMatch(/SCx200/);
    expect(lost.every((f) => f.where?.line === 2)).toBe(true);
    expect(report.checks.build).toMatch(/skipped: no kernel-devel/);
    expect(report.exitCode).toBe(1);
  });

  it('a WireGuard patch that does not apply to the tree: E_PATCH_APPLY before any build', async () => {
    const patch = [
      'From: kplay test',
      'Subject: [PATCH] wireguard: a change against another tree',
      '',
      '--- a/drivers/net/wireguard/version.h',
      '+++ b/drivers/net/wireguard/version.h',
      '@@ -1,3 +1,3 @@',
      ' #ifndef WIREGUARD_VERSION',
      '-#define WIREGUARD_VERSION "0.0.0-not-this-tree"',
      '+#define WIREGUARD_VERSION "1.0.0-kplay"',
      ' #endif',
      '',
    ].join('\n');
    const root = await repo({
      'variants/kmod-wireguard.yml': kmodVariant('kmod-wireguard', 'wireguard', 'drivers/net/wireguard'),
      'features/wireguard/feature.yml': 'summary: wireguard\n',
      'features/wireguard/config': 'CONFIG_WIREGUARD=m\n',
      'features/wireguard/patches/0001-version.patch': patch,
    });
    const r = await runKplay(['compose', 'variants/kmod-wireguard.yml', '--kernel-source', tree], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/0001-version\.patch:\d+: error E_PATCH_APPLY: hunk #1 of drivers\/net\/wireguard\/version\.h/);
  });

  describe('a small module built against the kernel-devel, checked against another kernel', () => {
    let root: string;
    let symversDir: string;
    beforeAll(async () => {
      root = await repo({
        'variants/kmod-hello.yml': kmodVariant('kmod-hello', 'hello', 'drivers/misc/kplay_hello'),
        'features/hello/feature.yml': 'summary: a tiny module using kmalloc and kfree\n',
        'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
        // the "base source": a folder with the module only (no Kconfig: that check is skipped)
        'src-tree/drivers/misc/kplay_hello/Makefile': 'obj-$(CONFIG_KPLAY_HELLO) += kplay_hello.o\n',
        'src-tree/drivers/misc/kplay_hello/kplay_hello.c': [
          '#include <linux/module.h>',
          '#include <linux/slab.h>',
          'static int __init kplay_hello_init(void) { void *p = kmalloc(16, GFP_KERNEL); kfree(p); return 0; }',
          'static void __exit kplay_hello_exit(void) {}',
          'module_init(kplay_hello_init);',
          'module_exit(kplay_hello_exit);',
          'MODULE_LICENSE("GPL");',
          '',
        ].join('\n'),
      });
      // "the next kernel": the same exports with kfree's CRC changed and kmalloc_trace gone
      symversDir = await mkdtemp(path.join(os.tmpdir(), 'kplay-symvers-'));
      temps.push(symversDir);
      const symvers = await readFile(path.join(headers, 'Module.symvers'), 'utf8');
      const changed = symvers
        .split('\n')
        .map((l) => (l.split('\t')[1] === 'kfree' ? l.replace(/^0x[0-9a-f]+/, '0xdeadbeef') : l))
        .filter((l) => l.split('\t')[1] !== 'kmalloc_trace');
      await writeFile(path.join(symversDir, 'Module.symvers'), changed.join('\n'));
      await writeFile(path.join(symversDir, 'kabi_stablelist_x86_64'), '[rhel9_x86_64_stablelist]\n\tkfree\n\t_printk\n');
      // a kernel-devel RPM laid out like Fedora's (usr/src/kernels/<kver>/), holding the Debian build tree
      const spec = [
        'Name: kernel-devel',
        'Version: 6.1.0',
        'Release: 57',
        'Summary: kplay test kernel-devel',
        'License: GPL-2.0-only',
        'AutoReqProv: no',
        '%global debug_package %{nil}',
        '%global __os_install_post %{nil}',
        '%description',
        'test',
        '%install',
        'd=%{buildroot}/usr/src/kernels/6.1.0-57.x86_64',
        'mkdir -p $d',
        `cp -a ${headers}/. $d/`,
        'for l in scripts tools; do rm -f $d/$l; ln -s $(readlink -f ' + headers + '/$l) $d/$l; done',
        '%files',
        '/usr/src/kernels/6.1.0-57.x86_64',
      ].join('\n');
      await writeFile(path.join(symversDir, 'kernel-devel.spec'), spec);
      await execa('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${symversDir}/rpmbuild`, path.join(symversDir, 'kernel-devel.spec')]);
    });

    it('builds with make M=, reads __versions and names the changed CRC and the missing symbol one by one', async () => {
      const r = await runKplay(
        [
          'compose',
          'variants/kmod-hello.yml',
          '--kernel-source',
          'src-tree',
          '--kernel-devel',
          headers,
          '--kabi-symvers',
          path.join(symversDir, 'Module.symvers'),
          '--kabi-stablelist',
          path.join(symversDir, 'kabi_stablelist_x86_64'),
          '--json',
        ],
        { cwd: root },
      );
      const report = JSON.parse(r.stdout) as {
        exitCode: number;
        findings: Array<{ code: string; message: string }>;
        checks: Record<string, string>;
      };
      expect(report.checks.build).toMatch(/built 1 module\(s\) against .*kplay_hello\.ko/);
      const codes = report.findings.map((f) => f.code);
      expect(codes.filter((c) => c === 'E_KABI_CRC_CHANGED')).toHaveLength(1);
      expect(report.findings.find((f) => f.code === 'E_KABI_CRC_CHANGED')!.message).toMatch(
        /kplay_hello\.ko was built against kfree 0x[0-9a-f]{8}, but .*Module\.symvers exports it as 0xdeadbeef/,
      );
      expect(report.findings.find((f) => f.code === 'E_KABI_SYMBOL_MISSING')!.message).toMatch(
        /needs kmalloc_trace, which .* does not export/,
      );
      expect(report.findings.find((f) => f.code === 'W_KABI_NOT_STABLELISTED')!.message).toMatch(/kmalloc_trace/);
      expect(report.exitCode).toBe(1);
      // against its own kernel-devel alone (given as a kernel-devel RPM) the module is fine: the spec is written
      const rpm = path.join(symversDir, 'rpmbuild/RPMS/x86_64/kernel-devel-6.1.0-57.x86_64.rpm');
      const ok = await runKplay(['compose', 'variants/kmod-hello.yml', '--kernel-source', 'src-tree', '--kernel-devel', rpm, '--json'], {
        cwd: root,
      });
      const okReport = JSON.parse(ok.stdout) as { exitCode: number; checks: Record<string, string> };
      expect(okReport.checks.build).toMatch(/built 1 module\(s\) against .*kernel-devel-6\.1\.0-57\.x86_64\.rpm \(kplay_hello\.ko\)/);
      expect(okReport.exitCode, ok.stderr).toBe(0);
      expect(await readdir(path.join(root, 'out', 'kmod-hello'))).toContain('kmod-hello.spec');
    });
  });
});

describe('the kmods SIG spec really builds (rpmbuild -bb against the Debian kernel-devel)', () => {
  it('builds the module, xz-compresses it under extra/drivers/<subsystem>/<folder>, pins the kernel', async () => {
    const headers = debianHeaders();
    const root = await makeFixtureRepo({
      'variants/kmod-hello.yml': kmodVariant('kmod-hello', 'hello', 'drivers/misc/kplay_hello').replace(
        'https://example.org/linux-6.1.tar.xz',
        'https://example.org/linux-hello.tar.xz',
      ),
      'features/hello/feature.yml': 'summary: hello\n',
      'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
      'src/linux-hello/drivers/misc/kplay_hello/Makefile': 'obj-$(CONFIG_KPLAY_HELLO) += kplay_hello.o\n',
      'src/linux-hello/drivers/misc/kplay_hello/kplay_hello.c':
        '#include <linux/module.h>\n#include <linux/slab.h>\nstatic int __init h(void) { kfree(kmalloc(8, GFP_KERNEL)); return 0; }\nmodule_init(h);\nMODULE_LICENSE("GPL");\n',
      // %{_usrsrc}/kernels/<kver> as on Fedora, pointing at the Debian build tree
      'usr/kernels/6.1.0-57.x86_64': { link: headers },
    });
    try {
      const c = await runKplay(['compose', 'variants/kmod-hello.yml', '--out', 'out'], { cwd: root });
      expect(c.exitCode, c.stderr).toBe(0);
      await execa('mkdir', ['-p', path.join(root, 'top/SOURCES')]);
      await execa('tar', ['-C', path.join(root, 'src'), '-cJf', path.join(root, 'top/SOURCES/linux-hello.tar.xz'), 'linux-hello']);
      const b = await rpmbuildSandboxed(
        [
          '-bb',
          '--nodeps',
          '--define',
          `_topdir ${root}/top`,
          '--define',
          `_usrsrc ${root}/usr`,
          '--define',
          '_target_cpu x86_64',
          path.join(root, 'out/kmod-hello.spec'),
        ],
        root,
      );
      expect(b.exitCode, b.all).toBe(0);
      const rpm = path.join(root, 'top/RPMS/x86_64/kmod-hello-6.1.0-1.k57.x86_64.rpm');
      const files = (await execa('rpm', ['-qlp', rpm])).stdout;
      expect(files).toContain('/lib/modules/6.1.0-57.x86_64/extra/drivers/misc/kplay_hello/kplay_hello.ko.xz');
      const deps = (await execa('rpm', ['-qp', '--requires', '--supplements', rpm])).stdout;
      expect(deps).toContain('(kernel = 6.1.0-57 if kernel)');
      expect(deps).toMatch(/^kernel = 6\.1\.0-57$/m);
      // the packaged module, checked with kplay kabi: loads into its kernel, not into one whose kfree changed
      await execa('sh', ['-c', `rpm2cpio '${rpm}' | cpio -idm --quiet`], { cwd: root });
      const ko = path.join(root, 'lib/modules/6.1.0-57.x86_64/extra/drivers/misc/kplay_hello/kplay_hello.ko.xz');
      const same = await runKplay(['kabi', ko, '--symvers', path.join(headers, 'Module.symvers')], { cwd: root });
      expect(same.exitCode, same.stderr).toBe(0);
      expect(same.stdout).toMatch(/kplay_hello\.ko\.xz: \d+ versioned symbol\(s\) checked/);
      const symvers = (await readFile(path.join(headers, 'Module.symvers'), 'utf8'))
        .split('\n')
        .map((l) => (l.split('\t')[1] === 'kfree' ? l.replace(/^0x[0-9a-f]+/, '0x0badc0de') : l));
      await writeFile(path.join(root, 'next.symvers'), symvers.join('\n'));
      const next = await runKplay(['kabi', ko, '--symvers', 'next.symvers', '--json'], { cwd: root });
      expect(next.exitCode).toBe(1);
      const report = JSON.parse(next.stdout) as { findings: Array<{ code: string; message: string }> };
      expect(report.findings.map((f) => f.code)).toEqual(['E_KABI_CRC_CHANGED']);
      expect(report.findings[0]!.message).toMatch(/kfree 0x[0-9a-f]{8}, but next\.symvers exports it as 0x0badc0de \(vmlinux\)/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.runIf(process.env.KPLAY_EXHAUSTIVE === '1')(
  'exhaustive: the real WireGuard driver of 6.1 compiled against the Debian 6.1 kernel-devel',
  () => {
    it('builds wireguard.ko and finds no kABI difference', async () => {
      const tree = await extractedKernelTree();
      const root = await makeFixtureRepo({
        'variants/kmod-wireguard.yml': kmodVariant('kmod-wireguard', 'wireguard', 'drivers/net/wireguard'),
        'features/wireguard/feature.yml': 'summary: wireguard\n',
        'features/wireguard/config': 'CONFIG_WIREGUARD=m\n',
      });
      const r = await runKplay(
        ['compose', 'variants/kmod-wireguard.yml', '--kernel-source', tree, '--kernel-devel', debianHeaders(), '--json'],
        { cwd: root },
      );
      const report = JSON.parse(r.stdout) as { exitCode: number; checks: Record<string, string> };
      expect(report.checks.build).toMatch(/wireguard\.ko/);
      expect(report.exitCode).toBe(0);
      await rm(root, { recursive: true, force: true });
    });
  },
);
