import { execa } from 'execa';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A tiny kernel source tarball (`linux-<version>.tar.xz`) that the Kconfig engine can read:
 * a Makefile with the version, a top Kconfig with MODULES and NET, the symbols given, and an
 * x86_64 defconfig. Returns the tarball's bytes.
 */
export async function fakeKernelTarball(
  version: string,
  symbols: Record<string, string>,
  /** Makefile rules appended (e.g. the defconfig/olddefconfig targets a vanilla SRPM's %prep runs). */
  makefileRules = '',
): Promise<Buffer> {
  const [major, minor, patch] = version.split('.');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-fake-kernel-'));
  const top = path.join(dir, `linux-${version}`);
  try {
    const files: Record<string, string> = {
      Makefile: `VERSION = ${major}\nPATCHLEVEL = ${minor}\nSUBLEVEL = ${patch ?? 0}\nEXTRAVERSION =\nNAME = Fixture\n${makefileRules}`,
      Kconfig: [
        'mainmenu "Linux/$(ARCH) $(KERNELVERSION) Kernel Configuration"',
        '',
        'config MODULES',
        '\tbool "Enable loadable module support"',
        '\tdefault y',
        '\tmodules',
        '',
        'config NET',
        '\tbool "Networking support"',
        '\tdefault y',
        '',
        'source "arch/$(SRCARCH)/Kconfig"',
        '',
        ...Object.entries(symbols).map(([name, body]) => `config ${name}\n${body}\n`),
      ].join('\n'),
      'arch/x86/Kconfig': 'config X86\n\tdef_bool y\n',
      'arch/x86/configs/x86_64_defconfig': 'CONFIG_NET=y\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(top, rel)), { recursive: true });
      await writeFile(path.join(top, rel), text);
    }
    const out = path.join(dir, `linux-${version}.tar.xz`);
    await execa('tar', ['-cJf', out, '-C', dir, `linux-${version}`]);
    const { readFile } = await import('node:fs/promises');
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** WireGuard as a tristate depending on NET: present in releases where the fixture feature works. */
export const WIREGUARD_SYMBOL = '\ttristate "WireGuard secure network tunnel"\n\tdepends on NET';
