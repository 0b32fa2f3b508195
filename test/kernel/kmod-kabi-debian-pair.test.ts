import { execa } from 'execa';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { requireSystemFile } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { rpmbuildSandboxed } from '../support/sandboxed-rpmbuild.js';

/**
 * kABI on a real pair of kernel-devel trees: Debian's linux-headers-6.1.0-54-amd64 (6.1.190-1)
 * and -56-amd64 (6.1.192-2), each against -57-amd64 (6.1.192-3). A small module is packaged by
 * the composed kmods SIG spec (rpmbuild -bb in the sandbox) once per older kernel; `kplay kabi`
 * checks both packages against -57 given as a folder, a Module.symvers, a Module.symvers.xz and
 * a kernel-devel RPM. The expected findings are derived from the modules' own __versions and the
 * two real Module.symvers files, never written down: -54 -> -57 changed thousands of CRCs
 * (module_layout and kmalloc_trace among the ones this module uses) and removed secure_tcp_seq;
 * -56 -> -57 changed none.
 */
const HEADERS = (abi: number) =>
  requireSystemFile(`/usr/src/linux-headers-6.1.0-${abi}-amd64/Makefile`, `linux-headers-6.1.0-${abi}-amd64`).replace(/\/Makefile$/, '');

const MODULE_C = `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/blkdev.h>
#include <net/secure_seq.h>

static int __init abiprobe_init(void)
{
	void *p = kmalloc(8, GFP_KERNEL);

	kfree(p);
	pr_info("abiprobe %u %p\\n", secure_tcp_seq(0, 0, 0, 0), I_BDEV);
	return 0;
}
module_init(abiprobe_init);
MODULE_LICENSE("GPL");
`;

interface Expected {
  code: 'E_KABI_SYMBOL_MISSING' | 'E_KABI_CRC_CHANGED';
  symbol: string;
}

/** `modprobe --dump-modversions` of a .ko: symbol -> CRC (lower case). */
async function versionsOf(ko: string): Promise<Map<string, string>> {
  const out = (await execa('/usr/sbin/modprobe', ['--dump-modversions', ko])).stdout;
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [crc, sym] = l.split('\t');
        return [sym!, crc!.toLowerCase()] as const;
      }),
  );
}

/** What a loader with this Module.symvers makes of the module, from the two files alone. */
async function expectedFindings(ko: string, symversFile: string): Promise<Expected[]> {
  const exports = new Map(
    (await readFile(symversFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [crc, sym] = l.split('\t');
        return [sym!, crc!.toLowerCase()] as const;
      }),
  );
  const out: Expected[] = [];
  for (const [symbol, crc] of await versionsOf(ko)) {
    const have = exports.get(symbol);
    if (have === undefined) out.push({ code: 'E_KABI_SYMBOL_MISSING', symbol });
    else if (have !== crc) out.push({ code: 'E_KABI_CRC_CHANGED', symbol });
  }
  return out.sort((a, b) => a.symbol.localeCompare(b.symbol));
}

function reported(stdout: string): Expected[] {
  const r = JSON.parse(stdout) as { findings: Array<{ code: Expected['code']; message: string }> };
  return r.findings
    .map((f) => ({ code: f.code, symbol: / needs (\S+),| against (\S+) 0x/.exec(f.message)!.slice(1).find(Boolean)! }))
    .sort((a, b) => a.symbol.localeCompare(b.symbol));
}

describe('kABI on two real Debian kernel-devel trees', () => {
  let root: string;
  const rpmOf = (abi: number) => path.join(root, `top/RPMS/x86_64/kmod-abiprobe-1.0-1.k${abi}.x86_64.rpm`);
  const koOf = (abi: number) => path.join(root, `unpacked-${abi}/lib/modules/6.1.0-${abi}.x86_64/extra/drivers/misc/abiprobe/abiprobe.ko`);

  beforeAll(async () => {
    const [h54, h56, h57] = [HEADERS(54), HEADERS(56), HEADERS(57)];
    root = await makeFixtureRepo({
      'variants/kmod-abiprobe.yml': [
        'name: kmod-abiprobe',
        'type: kmod',
        'summary: a module that uses symbols Debian 6.1.0-57 changed',
        'kmod:',
        '  kernel-version: "6.1.0-54"',
        '  version: "1.0"',
        '  source: { url: "https://example.org/abiprobe-1.0.tar.xz", topdir: abiprobe-1.0 }',
        '  modules: { abiprobe: [src] }',
        '  install-dir: extra/drivers/misc/abiprobe',
        'arches: [x86_64, aarch64]',
        'features: [abiprobe]',
        '',
      ].join('\n'),
      'features/abiprobe/feature.yml': 'summary: abiprobe\n',
      'features/abiprobe/config': 'CONFIG_KPLAY_ABIPROBE=m\n',
      'src/abiprobe-1.0/src/Makefile': 'obj-$(CONFIG_KPLAY_ABIPROBE) += abiprobe.o\n',
      'src/abiprobe-1.0/src/abiprobe.c': MODULE_C,
      'usr/kernels/6.1.0-54.x86_64': { link: h54 },
      'usr/kernels/6.1.0-56.x86_64': { link: h56 },
      'usr/kernels/6.1.0-57.x86_64': { link: h57 },
    });
    // compose checks it first: the module folder, and the compile test against -54 (in the sandbox)
    const c = await runKplay(
      ['compose', 'variants/kmod-abiprobe.yml', '--kernel-source', 'src/abiprobe-1.0', '--kernel-devel', h54, '--out', 'out', '--json'],
      { cwd: root },
    );
    expect(c.exitCode, c.stderr).toBe(0);
    const composed = JSON.parse(c.stdout) as {
      checks: { build: string; arches: string };
      findings: Array<{ code: string; message: string }>;
    };
    expect(composed.checks.build).toMatch(/built 1 module\(s\) against .*\(abiprobe\.ko\)/);
    // ExclusiveArch has aarch64 too: compose names it as not checked (the headers are amd64)
    expect(composed.checks.arches).toBe('checked on x86_64; not checked on aarch64 (no kernel-devel for it)');
    expect(composed.findings.filter((f) => f.code === 'N_KMOD_ARCH_NOT_CHECKED').map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^ExclusiveArch has aarch64, but the checks ran against the x86_64 kernel-devel .* only: Kconfig, compile test and kABI were not run for aarch64$/,
      ),
    ]);
    await mkdir(path.join(root, 'top/SOURCES'), { recursive: true });
    await execa('tar', ['-C', path.join(root, 'src'), '-cJf', path.join(root, 'top/SOURCES/abiprobe-1.0.tar.xz'), 'abiprobe-1.0']);
    // the package for -54 and, with the spec's own rebuild switch, for -56
    for (const abi of [54, 56]) {
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
          '--define',
          `kmod_kernel_version 6.1.0-${abi}`,
          path.join(root, 'out/kmod-abiprobe.spec'),
        ],
        root,
      );
      expect(b.exitCode, b.all).toBe(0);
      await mkdir(path.join(root, `unpacked-${abi}`));
      await execa('sh', ['-c', `rpm2cpio '${rpmOf(abi)}' | cpio -idm --quiet`], { cwd: path.join(root, `unpacked-${abi}`) });
      await execa('xz', ['-dk', `${koOf(abi)}.xz`]);
    }
    // the -57 exports as the other forms kabi takes: Module.symvers.xz and a kernel-devel RPM
    await mkdir(path.join(root, 'next'));
    await execa('sh', ['-c', `xz -c '${h57}/Module.symvers' > next/Module.symvers.xz`], { cwd: root });
    const develSpec = path.join(root, 'next/kernel-devel.spec');
    await execa('sh', [
      '-c',
      `cat > '${develSpec}' <<'SPEC'
Name: kernel-devel
Version: 6.1.0
Release: 57
Summary: the exports of Debian's linux-headers-6.1.0-57-amd64, as a kernel-devel RPM
License: GPL-2.0-only
%description
test
%install
install -D -m 644 ${h57}/Module.symvers %{buildroot}/usr/src/kernels/6.1.0-57.x86_64/Module.symvers
%files
/usr/src/kernels/6.1.0-57.x86_64
SPEC`,
    ]);
    const d = await rpmbuildSandboxed(
      ['-bb', '--quiet', '--define', `_topdir ${root}/top`, '--define', '_target_cpu x86_64', develSpec],
      root,
    );
    expect(d.exitCode, d.all).toBe(0);
  }, 900_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('-54 -> -57: every missing symbol and changed CRC the two files say, for each form of the -57 exports', async () => {
    const h57 = HEADERS(57);
    const expected = await expectedFindings(koOf(54), path.join(h57, 'Module.symvers'));
    // the pair really differs for this module: both kinds of break are there
    expect(expected.some((e) => e.code === 'E_KABI_SYMBOL_MISSING')).toBe(true);
    expect(expected.some((e) => e.code === 'E_KABI_CRC_CHANGED')).toBe(true);
    expect(expected.map((e) => e.symbol)).toContain('module_layout');
    const forms = [
      h57,
      path.join(h57, 'Module.symvers'),
      path.join(root, 'next/Module.symvers.xz'),
      path.join(root, 'top/RPMS/x86_64/kernel-devel-6.1.0-57.x86_64.rpm'),
    ];
    for (const symvers of forms) {
      for (const module of [rpmOf(54), `${koOf(54)}.xz`]) {
        const r = await runKplay(['kabi', module, '--symvers', symvers, '--json'], { cwd: root });
        expect(r.exitCode, `${symvers}\n${r.stderr}`).toBe(1);
        expect(reported(r.stdout), symvers).toEqual(expected);
      }
    }
    // the text form names one symbol per line and ends with the count
    const text = await runKplay(['kabi', rpmOf(54), '--symvers', h57], { cwd: root });
    expect(text.stderr).toMatch(/error E_KABI_SYMBOL_MISSING: abiprobe\.ko(\.xz)? needs secure_tcp_seq, which .* does not export/);
  });

  it('-56 -> -57: the module built against -56 loads into -57 (the files agree: clean pass)', async () => {
    const h57 = HEADERS(57);
    expect(await expectedFindings(koOf(56), path.join(h57, 'Module.symvers'))).toEqual([]);
    for (const symvers of [
      h57,
      path.join(root, 'next/Module.symvers.xz'),
      path.join(root, 'top/RPMS/x86_64/kernel-devel-6.1.0-57.x86_64.rpm'),
    ]) {
      const r = await runKplay(['kabi', rpmOf(56), '--symvers', symvers, '--json'], { cwd: root });
      expect(r.exitCode, `${symvers}\n${r.stderr}`).toBe(0);
      expect(reported(r.stdout)).toEqual([]);
      const checked = (JSON.parse(r.stdout) as { modules: Array<{ symbols: number }> }).modules;
      expect(checked).toHaveLength(1);
      expect(checked[0]!.symbols).toBe((await versionsOf(koOf(56))).size);
    }
  });
});
