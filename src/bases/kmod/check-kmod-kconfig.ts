import { mergedRequests, type MergedConfig } from '../../config/merge-config.js';
import type { Finding } from '../../findings/finding.js';
import { loadKconfigTree, resolveConfig } from '../../kconfig/index.js';
import { displayPath } from '../../model/safe-path.js';
import type { TargetKernelConfig } from './target-kernel-config.js';

/**
 * The features' Kconfig requests checked in the target kernel's own configuration: the
 * kernel-devel's `.config` (or the distribution config given) is the base, the `=m` (and other non-builtin) requests are applied the
 * way `make olddefconfig` would, and every request that does not survive (unknown symbol, unmet
 * dependency) is reported like for a kernel. Only the kernel-devel's arch is checked; `=y`
 * requests are left to E_KMOD_BUILTIN_REQUEST.
 */
export async function checkKmodKconfig(merged: readonly MergedConfig[], devel: TargetKernelConfig, kernelSource: string): Promise<{ findings: Finding[]; check: string }> {
  if (!devel.configText) return { findings: [], check: `skipped: ${displayPath(devel.label)} has no .config` };
  const m = merged.find((x) => x.arch === devel.arch);
  if (!devel.arch || !m) return { findings: [], check: `skipped: ${displayPath(devel.label)} is for ${devel.arch ?? 'an unknown arch'}, not an arch of the variant` };
  const requests = mergedRequests(m).filter((r) => !(r.value.type === 'tristate' && r.value.value === 'y'));
  const tree = await loadKconfigTree({ source: kernelSource, arch: m.arch });
  const file = displayPath(devel.file);
  const resolved = resolveConfig(tree, { base: devel.configText, baseFile: file, baseOrigin: { kind: 'base', name: file }, requests });
  const findings = resolved.findings.map((f) => ({ ...f, arch: f.arch ?? m.arch }));
  return { findings, check: `${requests.length} request(s) resolved on ${file} (${m.arch}) with the Kconfig of ${displayPath(kernelSource)}` };
}
