import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { requireSystemFile } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { rpmbuildSandboxed } from '../support/sandboxed-rpmbuild.js';

/**
 * The kmods SIG's shape end to end through `kplay srpm`: a driver-only tarball (like
 * wireguard-linux-compat) whose module has a bool option of its own, asked `=y` (the cramfs
 * case: allowed because the driver's own Kconfig declares it, which srpm reads from the verified
 * tarball, no --kernel-source needed). The SRPM carries that tarball and the spec only; rebuilt
 * with `rpmbuild --rebuild` in the sandbox against Debian's linux-headers-6.1.0-57-amd64 it gives
 * the module in the SIG's folder, with the option compiled in, Supplements and %license.
 */
const HEADERS = requireSystemFile('/usr/src/linux-headers-6.1.0-57-amd64/Makefile', 'linux-headers-6.1.0-57-amd64').replace(
  /\/Makefile$/,
  '',
);

const HELLO_C = `#include <linux/module.h>
#include <linux/slab.h>
#ifdef CONFIG_KPLAY_HELLO_EXTRA
noinline int kplay_hello_extra(void) { return 42; }
#endif
static int __init h(void)
{
	kfree(kmalloc(8, GFP_KERNEL));
#ifdef CONFIG_KPLAY_HELLO_EXTRA
	return kplay_hello_extra() == 42 ? 0 : -EINVAL;
#else
	return 0;
#endif
}
module_init(h);
MODULE_LICENSE("GPL");
`;

describe('kplay srpm of a driver-only kmod variant', () => {
  let root = '';
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('carries the driver tarball (not a kernel tarball), checks the =y option of the driver itself, and rebuilds into the SIG layout', async () => {
    root = await makeFixtureRepo({
      'features/hello/feature.yml': 'summary: hello\n',
      'features/hello/config': 'CONFIG_KPLAY_HELLO=m\nCONFIG_KPLAY_HELLO_EXTRA=y\n',
      'src/hello-compat-1.0/src/Makefile': 'obj-$(CONFIG_KPLAY_HELLO) += hello.o\n',
      'src/hello-compat-1.0/src/Kconfig':
        'config KPLAY_HELLO\n\ttristate "hello"\n\nconfig KPLAY_HELLO_EXTRA\n\tbool "the extra path of hello"\n\tdepends on KPLAY_HELLO\n',
      'src/hello-compat-1.0/src/hello.c': HELLO_C,
      'src/hello-compat-1.0/COPYING': 'GPL-2.0-only\n',
      'src/hello-compat-1.0/README.md': '# hello\n',
      'usr/kernels/6.1.0-57.x86_64': { link: HEADERS },
    });
    const downloads = path.join(root, 'downloads');
    await mkdir(downloads);
    const tarball = path.join(downloads, 'hello-compat-1.0.tar.xz');
    await execa('tar', [
      '-C',
      path.join(root, 'src'),
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '-cJf',
      tarball,
      'hello-compat-1.0',
    ]);
    const sha256 = createHash('sha256')
      .update(await readFile(tarball))
      .digest('hex');
    const variant = (extra: string[]) =>
      [
        'name: kmod-hello',
        'type: kmod',
        'summary: hello, a driver-only tarball',
        'kmod:',
        '  kernel-version: "6.1.0-57"',
        '  version: "1.0.20250101"',
        `  source: { url: "https://example.org/hello-compat-1.0.tar.xz", sha256: ${sha256}, topdir: hello-compat-1.0 }`,
        '  modules: { hello: [src] }',
        '  install-dir: extra/drivers/net/hello',
        '  supplements: [hello-tools]',
        '  license-files: [COPYING]',
        ...extra,
        'arches: [x86_64]',
        'features: [hello]',
        'changelog:',
        "  - { date: '2026-12-01', author: 'A Packager <a@example.org>', kernel: '6.1.0-57', text: 'First build.' }",
        '',
      ].join('\n');
    await mkdir(path.join(root, 'variants'));
    await writeFile(path.join(root, 'variants/kmod-hello.yml'), variant([]));

    // no --kernel-source: the =y of the driver's own bool option is read from the verified tarball
    const s = await runKplay(['srpm', 'variants/kmod-hello.yml', '--sources-dir', downloads, '--out', 'out', '--json'], { cwd: root });
    expect(s.exitCode, s.stderr).toBe(0);
    const srpm = path.join(root, (JSON.parse(s.stdout) as { srpm: string }).srpm);
    expect(path.basename(srpm)).toMatch(/^kmod-hello-1\.0\.20250101-1\.k57.*\.src\.rpm$/);
    const carried = (await execa('rpm', ['-qlp', srpm])).stdout.split('\n').sort();
    expect(carried).toEqual(['hello-compat-1.0.tar.xz', 'kmod-hello.spec']);
    // the driver's tarball as it is: the same bytes the variant pins, some kB, not a 140 MB kernel
    expect((await stat(srpm)).size).toBeLessThan(64 * 1024);
    // no target config in srpm: the requests as given, the =y one also as a C define
    const spec = await readFile(path.join(root, 'out/kmod-hello.spec'), 'utf8');
    expect(spec).toContain('x86_64) options="CONFIG_KPLAY_HELLO=m CONFIG_KPLAY_HELLO_EXTRA=y"; kcflags="-DCONFIG_KPLAY_HELLO_EXTRA=1" ;;');

    // the SRPM itself, rebuilt in the sandbox against the Debian headers (as %{_usrsrc}/kernels/<kver>)
    const b = await rpmbuildSandboxed(
      [
        '--rebuild',
        '--nodeps',
        '--define',
        `_topdir ${root}/top`,
        '--define',
        `_usrsrc ${root}/usr`,
        '--define',
        '_target_cpu x86_64',
        srpm,
      ],
      root,
    );
    expect(b.exitCode, b.all).toBe(0);
    const rpms = readdirSync(path.join(root, 'top/RPMS/x86_64'));
    expect(rpms).toHaveLength(1);
    const rpm = path.join(root, 'top/RPMS/x86_64', rpms[0]!);
    const files = (await execa('rpm', ['-qlp', rpm])).stdout.split('\n');
    expect(files).toContain('/lib/modules/6.1.0-57.x86_64/extra/drivers/net/hello/hello.ko.xz');
    expect(files.some((f) => /\/licenses\/kmod-hello[^/]*\/COPYING$/.test(f))).toBe(true);
    const deps = (await execa('rpm', ['-qp', '--supplements', rpm])).stdout.split('\n');
    expect(deps).toContain('hello-tools');
    expect(deps).toContain('kernel = 6.1.0-57');
    await mkdir(path.join(root, 'unpacked'));
    await execa('sh', ['-c', `rpm2cpio '${rpm}' | cpio -idm --quiet`], { cwd: path.join(root, 'unpacked') });
    const ko = path.join(root, 'unpacked/lib/modules/6.1.0-57.x86_64/extra/drivers/net/hello/hello.ko.xz');
    await execa('xz', ['-dk', ko]);
    // the option is compiled in: its function is in the packaged module
    expect((await execa('nm', [ko.replace(/\.xz$/, '')])).stdout).toMatch(/ kplay_hello_extra$/m);

    // a =y of something the driver does not declare stays refused, located, before any SRPM
    await writeFile(path.join(root, 'features/hello/config'), 'CONFIG_KPLAY_HELLO=m\nCONFIG_BLOCK=y\n');
    await rm(path.join(root, 'out'), { recursive: true, force: true });
    const refused = await runKplay(['srpm', 'variants/kmod-hello.yml', '--sources-dir', downloads, '--out', 'out'], { cwd: root });
    expect(refused.exitCode, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(
      /features\/hello\/config:2:\d+: error E_KMOD_BUILTIN_REQUEST: CONFIG_BLOCK=y asks for code built into the kernel/,
    );
    expect(readdirSync(root)).not.toContain('out');
  }, 600_000);
});
