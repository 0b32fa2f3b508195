import { mergedRequests, type MergedConfig } from '../../config/merge-config.js';
import type { Finding } from '../../findings/finding.js';
import { loadKconfigTree, resolveConfig } from '../../kconfig/index.js';
import { displayPath } from '../../model/safe-path.js';
import { resolvedBuildOptions, type ArchBuildOptions, type ModuleOption } from './module-build-options.js';
import type { TargetKernelConfig } from './target-kernel-config.js';

/**
 * The features' Kconfig requests checked in the target kernel's own configuration: the
 * kernel-devel's `.config` (or the distribution config given) is the base, the requests are
 * applied the way `make olddefconfig` would, and every request that does not survive (unknown
 * symbol, unmet dependency) is reported like for a kernel. `=y` requests take part only for
 * options the module folders declare (`folderSymbols`); the others are E_KMOD_BUILTIN_REQUEST.
 * The options declared in the module folders' Kconfig files that come out `y`/`m` are what the
 * module build gets (`buildOptions`). Only the target config's arch is checked.
 */
export async function checkKmodKconfig(
  merged: readonly MergedConfig[],
  devel: TargetKernelConfig,
  kernelSource: string,
  dirs: readonly string[] = [],
  folderSymbols: ReadonlySet<string> = new Set(),
): Promise<{ findings: Finding[]; check: string; buildOptions?: ArchBuildOptions }> {
  if (!devel.configText) return { findings: [], check: `skipped: ${displayPath(devel.label)} has no .config` };
  const m = merged.find((x) => x.arch === devel.arch);
  if (!devel.arch || !m)
    return {
      findings: [],
      check: `skipped: ${displayPath(devel.label)} is for ${devel.arch ?? 'an unknown arch'}, not an arch of the variant`,
    };
  const requests = mergedRequests(m).filter((r) => !(r.value.type === 'tristate' && r.value.value === 'y' && !folderSymbols.has(r.symbol)));
  const tree = await loadKconfigTree({ source: kernelSource, arch: m.arch });
  const file = displayPath(devel.file);
  const resolved = resolveConfig(tree, { base: devel.configText, baseFile: file, baseOrigin: { kind: 'base', name: file }, requests });
  const findings = resolved.findings.map((f) => ({ ...f, arch: f.arch ?? m.arch }));
  // the options of the module's own folders (every definition inside one), as resolved
  const inside = (f: string) => dirs.some((d) => f.startsWith(`${d}/`));
  const options: ModuleOption[] = [];
  for (const sym of tree.symbols.all()) {
    if (sym.name === null) continue;
    const defs = sym.definitions();
    if (!defs.length || !defs.every((d) => inside(d.where.file))) continue;
    const v = resolved.values.get(sym.name);
    if (v === 'y' || v === 'm') options.push({ symbol: sym.name, value: v });
  }
  const buildOptions = resolvedBuildOptions(m.arch, options, devel.configText);
  return {
    findings,
    check: `${requests.length} request(s) resolved on ${file} (${m.arch}) with the Kconfig of ${displayPath(kernelSource)}${dirs.length ? `; module folder options: ${buildOptions.make.join(' ') || 'none'}` : ''}`,
    buildOptions,
  };
}
