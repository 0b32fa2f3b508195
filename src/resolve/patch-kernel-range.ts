import type { FeaturePatch } from '../model/feature.js';
import { parseKernelVersion, parseVersionRange, rangeSatisfied, type VersionComparator } from '../model/kernel-version.js';

/**
 * The kernel range a folder under patches/ stands for: `6.1` → the 6.1 series (`>=6.1 <6.2`),
 * `6.12+` → 6.12 and later (`>=6.12`). Undefined for other folder names.
 */
export function folderKernelRange(folder: string): { text: string; range: VersionComparator[] } | undefined {
  const m = /^(\d+)\.(\d+)(\+)?$/.exec(folder);
  if (!m) return undefined;
  const text = m[3] ? `>=${m[1]}.${m[2]}` : `>=${m[1]}.${m[2]} <${m[1]}.${Number(m[2]) + 1}`;
  const range = parseVersionRange(text).range;
  return range ? { text, range } : undefined;
}

/** The `kernel: RANGE` option of a series line (`6.12/0001-x.patch kernel: >=6.12`). */
export function seriesKernelOption(rest: string): { text: string; range?: VersionComparator[]; error?: string } | undefined {
  const m = /^kernel:\s*(.+)$/.exec(rest.trim());
  if (!m) return undefined;
  const text = m[1]!.trim().replace(/^["']|["']$/g, '');
  const r = parseVersionRange(text);
  return { text, ...(r.range ? { range: r.range } : {}), ...(r.error ? { error: r.error } : {}) };
}

/**
 * The patches of a feature that apply to a base version: those without a range, and those whose
 * range holds. With an unknown base version, only the patches without a range.
 */
export function patchesForVersion(patches: readonly FeaturePatch[], baseVersion: string): FeaturePatch[] {
  const v = parseKernelVersion(baseVersion);
  return patches.filter((p) => !p.kernel || (v !== undefined && rangeSatisfied(v, p.kernel.range)));
}
