import { UsageError, type Finding, type SourceLocation } from '../findings/finding.js';
import { resolveConfig, type KconfigTree, type ResolvedConfig } from '../kconfig/index.js';
import { F_CONST } from '../kconfig/index.js';
import type { RpmArch } from '../model/arch.js';
import { displayPath } from '../model/safe-path.js';
import type { ConfigRequest } from '../model/types.js';

/**
 * The smoke config of `kplay try`: the smallest kernel that boots in QEMU and runs the features'
 * tests. Like `make tinyconfig` (allnoconfig over kernel/configs/tiny-base.config, then
 * tiny.config of the kernel and of the arch), then kernel/configs/kvm_guest.config, then what the
 * boot needs, then every value the variant and its features request, resolved like
 * `make olddefconfig` by the Kconfig engine, so a requested value that does not survive is the
 * usual located finding.
 */

/** What booting from a busybox initramfs on a serial console, loading modules and running the tests needs. */
export const BOOT_NEEDS: Readonly<Record<string, 'y'>> = {
  '64BIT': 'y',
  BLK_DEV_INITRD: 'y',
  RD_GZIP: 'y',
  BINFMT_ELF: 'y',
  BINFMT_SCRIPT: 'y',
  PRINTK: 'y',
  TTY: 'y',
  SERIAL_8250: 'y',
  SERIAL_8250_CONSOLE: 'y',
  PROC_FS: 'y',
  SYSFS: 'y',
  DEVTMPFS: 'y',
  SHMEM: 'y',
  TMPFS: 'y',
  TMPFS_XATTR: 'y',
  MODULES: 'y',
  MODULE_UNLOAD: 'y',
  // feature tests create links and mount file systems: a network stack and a writable /tmp
  NET: 'y',
  INET: 'y',
  UNIX: 'y',
  NETDEVICES: 'y',
};

/** The files `make tinyconfig` and `make kvm_guest.config` merge, in order, for an arch. */
export function smokeConfigFiles(srcarch: string): { allnoBase: string[]; fragments: string[] } {
  return {
    allnoBase: ['kernel/configs/tiny-base.config'],
    fragments: ['kernel/configs/tiny.config', `arch/${srcarch}/configs/tiny.config`, 'kernel/configs/kvm_guest.config'],
  };
}

/** `allnoconfig`: every bool and tristate symbol of the tree asked for `n` (conf ignores the ones without a prompt). */
export function allnoText(tree: KconfigTree): string {
  const lines: string[] = [];
  for (const sym of tree.symbols.created) {
    if (sym.name === null || sym.flags & F_CONST) continue;
    if (sym.type === 'bool' || sym.type === 'tristate') lines.push(`# CONFIG_${sym.name} is not set`);
  }
  return `${lines.join('\n')}\n`;
}

export interface SmokeConfig {
  resolved: ResolvedConfig;
  /** The requests of the variant and its features that did not survive (located), and the boot needs that did not. */
  findings: Finding[];
  /** The tree files the base was made of (for the report). */
  from: string[];
}

/** A boot need as a request; findings about it are the smoke config's, not the variant's. */
function bootNeedRequests(where: SourceLocation): ConfigRequest[] {
  return Object.entries(BOOT_NEEDS).map(([symbol, value]) => ({
    symbol,
    value: { type: 'tristate', value },
    where,
    origin: { kind: 'base', name: 'kplay try smoke config' },
  }));
}

/**
 * Resolve the smoke config for one arch: tinyconfig + kvm_guest.config + BOOT_NEEDS + the
 * variant's requests (`requests`, already merged: later wins).
 */
export function resolveSmokeConfig(
  tree: KconfigTree,
  arch: RpmArch,
  requests: readonly ConfigRequest[],
  /** A file of the (patched) tree: kernel/configs/ is not in the Kconfig engine's subset of a tarball. */
  readTreeFile: (rel: string) => string | undefined = tree.readSource,
): SmokeConfig {
  const { allnoBase, fragments } = smokeConfigFiles(tree.srcarch);
  const parts: string[] = [allnoText(tree)];
  const from: string[] = [];
  for (const rel of [...allnoBase, ...fragments]) {
    const text = readTreeFile(rel);
    if (text === undefined) {
      // tiny-base.config and the arch's tiny.config came with Linux 5.x; older trees have only tiny.config
      if (rel === 'kernel/configs/kvm_guest.config' || rel === 'kernel/configs/tiny.config')
        throw new UsageError(`${displayPath(tree.label)} has no ${rel}: kplay try builds the smoke config from it (Linux 5.10 or later)`);
      continue;
    }
    parts.push(text);
    from.push(rel);
  }
  const bootWhere: SourceLocation = { file: 'kplay try smoke config', line: 0, col: 0 };
  const resolved = resolveConfig(tree, {
    base: parts.join('\n'),
    baseFile: `${displayPath(tree.label)}:tinyconfig`,
    baseOrigin: { kind: 'base', name: 'tinyconfig + kvm_guest.config' },
    requests: [...bootNeedRequests(bootWhere), ...requests.filter((r) => !r.arch || r.arch === arch)],
  });
  const findings = resolved.findings.map((f) => {
    if (f.where?.file !== bootWhere.file) return { ...f, arch: f.arch ?? arch };
    // a boot need the tree cannot give: the boot may fail; say so once per symbol, as a warning
    return { ...f, severity: 'warning' as const, code: 'W_TRY_SMOKE_CONFIG' as const, arch, where: undefined };
  });
  return { resolved, findings: findings.map(stripUndefinedWhere), from };
}

function stripUndefinedWhere(f: Finding): Finding {
  if (f.where !== undefined) return f;
  const { where: _w, ...rest } = f;
  return rest;
}
