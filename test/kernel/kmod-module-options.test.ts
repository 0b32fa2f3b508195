import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itExhaustive } from '../support/exhaustive.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { extractedKernelTree } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { rpmbuildSandboxed, runSandboxedBuild } from '../support/sandboxed-rpmbuild.js';

/**
 * The kmods SIG's second category: an in-tree module the target kernel disables, here fs/cramfs
 * of Debian's linux-source-6.1 against Debian's linux-headers-6.1.*-amd64 (whose .config has
 * `# CONFIG_CRAMFS is not set`, so its autoconf.h has none of cramfs's own bool options). Built
 * with CONFIG_CRAMFS=m alone, cramfs.ko has neither block-device nor MTD support and can only
 * refuse to mount; kplay resolves the folder's Kconfig and builds with CRAMFS_BLOCKDEV.
 *
 * Default run: the refusal, the compose with its compile test, and the real rpmbuild of the spec
 * with the packaged cramfs.ko checked. The exhaustive run adds the control (a third build of
 * cramfs, plain `make M=` with CONFIG_CRAMFS=m alone, showing the symbol is then missing): it
 * checks the kernel's build, not kplay.
 */
function debianHeaders(): string {
  const dirs = existsSync('/usr/src') ? readdirSync('/usr/src').filter((d: string) => /^linux-headers-6\.1\..*-amd64$/.test(d)) : [];
  if (!dirs.length) throw new Error('no /usr/src/linux-headers-6.1*-amd64: install the Debian package linux-headers-amd64 (bookworm)');
  return path.join('/usr/src', dirs.sort().at(-1)!);
}

const VARIANT = [
  'name: kmod-cramfs',
  'type: kmod',
  'summary: cramfs, which the target kernel disables',
  'kmod:',
  '  kernel-version: "6.1.0-57"',
  '  version: "2.0"',
  '  source: { url: "https://example.org/linux-cramfs.tar.xz" }',
  '  modules: { cramfs: [fs/cramfs] }',
  'arches: [x86_64]',
  'features: [cramfs]',
  '',
].join('\n');

/** The function only a block-device-capable cramfs.ko has (inode.c, under IS_ENABLED(CONFIG_CRAMFS_BLOCKDEV)). */
const BLOCKDEV_SYMBOL = /^[0-9a-f]+ t cramfs_blkdev_fill_super$/m;

describe('kmod module options: cramfs with its own bool options, on the real 6.1 tree and Debian headers', () => {
  let tree: string;
  let headers: string;
  let root: string;
  beforeAll(async () => {
    tree = await extractedKernelTree();
    headers = debianHeaders();
    root = await makeFixtureRepo({
      'variants/kmod-cramfs.yml': VARIANT,
      'features/cramfs/feature.yml': 'summary: cramfs over block devices\n',
      // BLOCK is core kernel code (block/Kconfig): refused; CRAMFS_BLOCKDEV is fs/cramfs's own bool: built into the module
      'features/cramfs/config': 'CONFIG_CRAMFS=m\nCONFIG_CRAMFS_BLOCKDEV=y\nCONFIG_BLOCK=y\n',
      // %{_usrsrc}/kernels/<kver> as on Fedora, pointing at the Debian build tree
      'usr/kernels/6.1.0-57.x86_64': { link: headers },
    });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a =y outside the module folder is refused with why; the folder options reach the compile test, the spec and the packaged .ko', async () => {
    const first = await runKplay(['compose', 'variants/kmod-cramfs.yml', '--kernel-source', tree, '--kernel-devel', headers], {
      cwd: root,
    });
    expect(first.exitCode, first.stderr).toBe(1);
    expect(first.stderr).toMatch(
      /features\/cramfs\/config:3:\d+: error E_KMOD_BUILTIN_REQUEST: CONFIG_BLOCK=y asks for code built into the kernel: no Kconfig of the kmod\.modules folders declares BLOCK/,
    );
    expect(first.stderr).toMatch(/hint: a module package can only set options declared in its own folders' Kconfig/);
    expect(first.stderr).not.toMatch(/CRAMFS_BLOCKDEV=y asks/);

    await execa('sed', ['-i', '/CONFIG_BLOCK=y/d', path.join(root, 'features/cramfs/config')]);
    const r = await runKplay(
      ['compose', 'variants/kmod-cramfs.yml', '--kernel-source', tree, '--kernel-devel', headers, '--out', 'out', '--json'],
      { cwd: root },
    );
    const report = JSON.parse(r.stdout) as { exitCode: number; checks: Record<string, string> };
    expect(report.exitCode, r.stderr).toBe(0);
    expect(report.checks.kconfig).toMatch(/module folder options: CONFIG_CRAMFS=m CONFIG_CRAMFS_BLOCKDEV=y$/);
    expect(report.checks.build).toMatch(/built 1 module\(s\) against .* \(cramfs\.ko\)/);
    const spec = await readFile(path.join(root, 'out/kmod-cramfs.spec'), 'utf8');
    expect(spec).toContain(
      'x86_64) options="CONFIG_CRAMFS=m CONFIG_CRAMFS_BLOCKDEV=y"; kcflags="-DCONFIG_CRAMFS_MODULE=1 -DCONFIG_CRAMFS_BLOCKDEV=1" ;;',
    );

    // the driver-only source tarball (the module folder alone), and the spec really built
    await mkdir(path.join(root, 'src/linux-cramfs/fs'), { recursive: true });
    await cp(path.join(tree, 'fs/cramfs'), path.join(root, 'src/linux-cramfs/fs/cramfs'), { recursive: true });
    await mkdir(path.join(root, 'top/SOURCES'), { recursive: true });
    await execa('tar', ['-C', path.join(root, 'src'), '-cJf', path.join(root, 'top/SOURCES/linux-cramfs.tar.xz'), 'linux-cramfs']);
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
        path.join(root, 'out/kmod-cramfs.spec'),
      ],
      root,
    );
    expect(b.exitCode, b.all).toBe(0);
    const rpm = path.join(root, 'top/RPMS/x86_64/kmod-cramfs-2.0-1.k57.x86_64.rpm');
    await execa('sh', ['-c', `rpm2cpio '${rpm}' | cpio -idm --quiet`], { cwd: root });
    const ko = path.join(root, 'lib/modules/6.1.0-57.x86_64/extra/fs/cramfs/cramfs.ko.xz');
    await execa('xz', ['-dk', ko]);
    const packaged = (await execa('nm', [ko.replace(/\.xz$/, '')])).stdout;
    expect(packaged).toMatch(BLOCKDEV_SYMBOL);
  });

  itExhaustive('the control: what the build did before (CONFIG_CRAMFS=m alone) leaves the option out', async () => {
    const plain = path.join(root, 'control/fs/cramfs');
    await mkdir(path.dirname(plain), { recursive: true });
    await cp(path.join(tree, 'fs/cramfs'), plain, { recursive: true });
    const m = await runSandboxedBuild(['make', '-C', headers, `M=${plain}`, 'CONFIG_CRAMFS=m', 'modules'], root);
    expect(m.exitCode, m.all).toBe(0);
    expect((await execa('nm', [path.join(plain, 'cramfs.ko')])).stdout).not.toMatch(BLOCKDEV_SYMBOL);
  });
});
