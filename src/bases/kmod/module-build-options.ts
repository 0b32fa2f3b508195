import type { MergedConfig } from '../../config/merge-config.js';
import type { RpmArch } from '../../model/arch.js';

/** One option of the module's own folder, as the module build gets it. */
export interface ModuleOption {
  symbol: string;
  value: 'y' | 'm';
}

/**
 * What `make -C <kernel-devel> M=<folder>` gets for one arch: `CONFIG_X=y|m` words for the
 * folder's Makefile (obj-$(CONFIG_X), `cramfs-$(CONFIG_CRAMFS_MTD) += …`), and `-DCONFIG_X=1` /
 * `-DCONFIG_X_MODULE=1` for KCFLAGS, so that `IS_ENABLED(CONFIG_X)` in the C code sees the
 * options the target kernel's autoconf.h does not have (cramfs: CONFIG_CRAMFS_BLOCKDEV).
 */
export interface ArchBuildOptions {
  arch: RpmArch;
  make: string[];
  kcflags: string[];
  /** Resolved with the Kconfig engine on the target config (else: the requests as given). */
  resolved: boolean;
}

const SYMBOL = /^[A-Za-z0-9_]+$/;

/** The symbols a module folder's own Kconfig files declare (`config X`, `menuconfig X`). */
export function folderKconfigSymbols(files: ReadonlyMap<string, Buffer>, dirs: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const [rel, content] of files) {
    const base = rel.split('/').pop() ?? '';
    if (!base.startsWith('Kconfig') || !dirs.some((d) => rel.startsWith(`${d}/`))) continue;
    for (const m of content.toString('latin1').matchAll(/^[ \t]*(?:menu)?config[ \t]+([A-Za-z0-9_]+)/gm)) out.add(m[1]!);
  }
  return out;
}

function words(options: readonly ModuleOption[], notInTarget: (o: ModuleOption) => boolean): Pick<ArchBuildOptions, 'make' | 'kcflags'> {
  const sorted = [...options].filter((o) => SYMBOL.test(o.symbol)).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return {
    make: sorted.map((o) => `CONFIG_${o.symbol}=${o.value}`),
    kcflags: sorted.filter(notInTarget).map((o) => (o.value === 'y' ? `-DCONFIG_${o.symbol}=1` : `-DCONFIG_${o.symbol}_MODULE=1`)),
  };
}

/**
 * Without a resolution: the requests as given, `=m` ones and the `=y` ones of options the module
 * folders declare (a bool of the module itself, e.g. CRAMFS_BLOCKDEV; C defines for the `=y` ones).
 */
export function requestedBuildOptions(merged: readonly MergedConfig[], folderSymbols: ReadonlySet<string>): ArchBuildOptions[] {
  return merged.map((m) => {
    const options: ModuleOption[] = [];
    for (const [symbol, s] of m.symbols) {
      const v = s.request.value;
      if (v.type !== 'tristate') continue;
      if (v.value === 'm' || (v.value === 'y' && folderSymbols.has(symbol))) options.push({ symbol, value: v.value });
    }
    return { arch: m.arch, ...words(options, (o) => o.value === 'y'), resolved: false };
  });
}

/** A symbol's value in a .config text (`y`, `m`), or undefined when it is not set. */
export function configValueOf(configText: string, symbol: string): string | undefined {
  return new RegExp(`^CONFIG_${symbol}=(.*)$`, 'm').exec(configText)?.[1];
}

/**
 * After the Kconfig engine resolved the target config plus the requests: every option declared
 * only inside the module folders that came out `y` or `m` (the requests, and what follows from
 * them: defaults like CRAMFS_BLOCKDEV's `default y`). C defines for those the target's own
 * config does not already have with that value.
 */
export function resolvedBuildOptions(arch: RpmArch, folderOptions: readonly ModuleOption[], targetConfigText: string): ArchBuildOptions {
  return { arch, ...words(folderOptions, (o) => configValueOf(targetConfigText, o.symbol) !== o.value), resolved: true };
}
