import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { rpmbuildSandboxed } from '../support/sandboxed-rpmbuild.js';

/**
 * What the kmods SIG's own specs say, from the variant: a driver-only tarball (like
 * wireguard-linux-compat, whose module folder is src/) installed to the SIG's folder
 * (extra/drivers/net/wireguard there), Supplements/Requires (a rich one), %license, %doc, a
 * firmware file and the kernel-modules Provides; built for real with rpmbuild -bb against
 * Debian's linux-headers (as %{_usrsrc}/kernels/<kver>).
 */
function debianHeaders(): string {
  const dirs = existsSync('/usr/src') ? readdirSync('/usr/src').filter((d: string) => /^linux-headers-6\.1\..*-amd64$/.test(d)) : [];
  if (!dirs.length) throw new Error('no /usr/src/linux-headers-6.1*-amd64: install the Debian package linux-headers-amd64 (bookworm)');
  return path.join('/usr/src', dirs.sort().at(-1)!);
}

describe('a driver-only SIG-style package (rpmbuild -bb against the Debian kernel-devel)', () => {
  it('installs to kmod.install-dir, carries Supplements, a rich Requires, %license, %doc, and firmware in a subpackage', async () => {
    const headers = debianHeaders();
    const root = await makeFixtureRepo({
      'variants/kmod-hello.yml': [
        'name: kmod-hello',
        'type: kmod',
        'summary: hello, a driver-only tarball',
        'kmod:',
        '  kernel-version: "6.1.0-57"',
        '  version: "1.0.20250101"',
        '  source: { url: "https://example.org/hello-compat-1.0.tar.xz", topdir: hello-compat-1.0 }',
        '  modules: { hello: [src] }',
        '  install-dir: extra/drivers/misc/hello',
        '  supplements: [hello-tools]',
        '  requires: ["(hello-tools >= 1.0 if systemd)"]',
        '  license-files: [COPYING]',
        '  doc-files: [README.md]',
        '  firmware: [firmware/hello-fw.bin]',
        '  provides-kernel-modules: true',
        'arches: [x86_64]',
        'features: [hello]',
        '',
      ].join('\n'),
      'features/hello/feature.yml': 'summary: hello\n',
      'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
      'src/hello-compat-1.0/src/Makefile': 'obj-$(CONFIG_KPLAY_HELLO) += hello.o\n',
      'src/hello-compat-1.0/src/hello.c':
        '#include <linux/module.h>\n#include <linux/slab.h>\nstatic int __init h(void) { kfree(kmalloc(8, GFP_KERNEL)); return 0; }\nmodule_init(h);\nMODULE_LICENSE("GPL");\n',
      'src/hello-compat-1.0/COPYING': 'GPL-2.0-only\n',
      'src/hello-compat-1.0/README.md': '# hello\n',
      'src/hello-compat-1.0/firmware/hello-fw.bin': 'FW\n',
      'src/hello-compat-1.0/tests/big-test-data.txt': 'not needed by the build\n',
      'usr/kernels/6.1.0-57.x86_64': { link: headers },
    });
    try {
      const c = await runKplay(['compose', 'variants/kmod-hello.yml', '--out', 'out'], { cwd: root });
      expect(c.exitCode, c.stderr).toBe(0);
      await mkdir(path.join(root, 'top/SOURCES'), { recursive: true });
      await execa('tar', [
        '-C',
        path.join(root, 'src'),
        '-cJf',
        path.join(root, 'top/SOURCES/hello-compat-1.0.tar.xz'),
        'hello-compat-1.0',
      ]);
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
      const rpm = path.join(root, 'top/RPMS/x86_64/kmod-hello-1.0.20250101-1.k57.x86_64.rpm');
      const files = (await execa('rpm', ['-qlp', rpm])).stdout.split('\n');
      expect(files).toContain('/lib/modules/6.1.0-57.x86_64/extra/drivers/misc/hello/hello.ko.xz');
      // the firmware in its own (noarch) package, which the modules' package requires
      expect(files.join('\n')).not.toMatch(/\/lib\/firmware\//);
      const fwRpm = path.join(root, 'top/RPMS/noarch/kmod-hello-firmware-1.0.20250101-1.k57.noarch.rpm');
      expect((await execa('rpm', ['-qlp', fwRpm])).stdout.split('\n')).toEqual(['/lib/firmware/hello-fw.bin']);
      expect(
        files.some((f) => /\/licenses\/kmod-hello[^/]*\/COPYING$/.test(f)),
        files.join('\n'),
      ).toBe(true);
      expect(files.some((f) => /\/doc\/kmod-hello[^/]*\/README\.md$/.test(f))).toBe(true);
      expect(files.join('\n')).not.toMatch(/\/src\/|big-test-data/);
      const q = (await execa('rpm', ['-qp', '--requires', '--supplements', '--provides', rpm])).stdout.split('\n');
      expect(q).toContain('hello-tools');
      expect(q).toContain('(hello-tools >= 1.0 if systemd)');
      expect(q).toContain('(kernel = 6.1.0-57 if kernel)');
      expect(q).toContain('kernel-modules = 6.1.0-57.x86_64');
      expect(q).toContain('kmod-hello-firmware = 1.0.20250101-1.k57');
      // the SIG's unconditional depmod
      const scripts = (await execa('rpm', ['-qp', '--scripts', rpm])).stdout;
      expect(scripts).toMatch(/postinstall scriptlet[^\n]*\n\/usr\/sbin\/depmod -a 6\.1\.0-57\.x86_64/);

      // kplay kabi takes the kmod RPM itself, and the kernel's exports as a folder, a Module.symvers.xz or a kernel-devel RPM
      const same = await runKplay(['kabi', rpm, '--symvers', headers, '--json'], { cwd: root });
      expect(same.exitCode, same.stderr).toBe(0);
      const modulesChecked = (JSON.parse(same.stdout) as { modules: Array<{ module: string }> }).modules.map((m) => m.module);
      expect(modulesChecked).toHaveLength(1);
      expect(modulesChecked[0]).toMatch(/kmod-hello-.*\.rpm:\/lib\/modules\/.*\/hello\.ko\.xz$/);
      const changed = (await readFile(path.join(headers, 'Module.symvers'), 'utf8'))
        .split('\n')
        .map((l) => (l.split('\t')[1] === 'kfree' ? l.replace(/^0x[0-9a-f]+/, '0x0badc0de') : l))
        .join('\n');
      await mkdir(path.join(root, 'next/usr/src/kernels/6.1.0-58.x86_64'), { recursive: true });
      await writeFile(path.join(root, 'next/usr/src/kernels/6.1.0-58.x86_64/Module.symvers'), changed);
      await execa('sh', ['-c', 'xz -c next/usr/src/kernels/6.1.0-58.x86_64/Module.symvers > next.symvers.xz'], { cwd: root });
      await writeFile(
        path.join(root, 'kernel-devel.spec'),
        [
          'Name: kernel-devel',
          'Version: 6.1.0',
          'Release: 58',
          'Summary: exports of the next kernel',
          'License: GPL-2.0-only',
          '%description',
          'test',
          '%install',
          `mkdir -p %{buildroot}/usr/src/kernels && cp -r ${root}/next/usr/src/kernels/6.1.0-58.x86_64 %{buildroot}/usr/src/kernels/`,
          '%files',
          '/usr/src/kernels/6.1.0-58.x86_64',
        ].join('\n'),
      );
      await execa('rpmbuild', [
        '-bb',
        '--quiet',
        '--define',
        `_topdir ${root}/top`,
        '--define',
        '_target_cpu x86_64',
        path.join(root, 'kernel-devel.spec'),
      ]);
      const develRpm = path.join(root, 'top/RPMS/x86_64/kernel-devel-6.1.0-58.x86_64.rpm');
      for (const symvers of ['next.symvers.xz', develRpm]) {
        const next = await runKplay(['kabi', rpm, '--symvers', symvers, '--json'], { cwd: root });
        expect(next.exitCode, next.stderr).toBe(1);
        const report = JSON.parse(next.stdout) as { findings: Array<{ code: string; message: string }> };
        expect(report.findings.map((f) => f.code)).toEqual(['E_KABI_CRC_CHANGED']);
        expect(report.findings[0]!.message).toMatch(/kfree 0x[0-9a-f]{8}, but .* exports it as 0x0badc0de/);
      }
      // a folder that is no kernel-devel: one line, exit 2 (not EISDIR, exit 3)
      const bad = await runKplay(['kabi', rpm, '--symvers', path.join(root, 'src')], { cwd: root });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toMatch(/a folder without Module\.symvers/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
