import type { RpmArch } from '../../model/arch.js';
import { RPM_ARCHES } from '../../model/arch.js';
import type { SpecMacros } from './spec-macros.js';
import { readSpecSources, sourceFileName } from './spec-sources.js';

/** A per-arch config Source of a distribution spec, found by its file name. */
export interface ConfigSource {
  arch: RpmArch;
  /** File name in the distribution's files (`kernel-x86_64-debug-fedora.config`). */
  file: string;
  /** The flavour parts between arch and distribution (`debug`, `64k-debug`), '' for the plain config. */
  flavour: string;
  sourceNumber: number;
  /** `-<fedora|rhel>.config` (Fedora, CentOS Stream, RHEL 9+) or plain `.config` (RHEL 8-era, CentOS 8 Plus). */
  style: 'distribution' | 'plain';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The config Sources of a spec: `<name>-<arch>[-<flavour>...]-<fedora|rhel>.config`, debug and other
 * flavours included. Numbers move between releases, so only the file name counts. A spec with no
 * such Source (RHEL 8-era, CentOS 8 Plus) names its configs `<name>-<arch>[-<flavour>].config`:
 * those are returned, with style 'plain'. Source values are read with the spec's macros expanded.
 */
export function findConfigSources(
  lines: readonly string[],
  packageName: string,
  distribution: 'fedora' | 'rhel',
  macros?: SpecMacros,
): ConfigSource[] {
  const arches = RPM_ARCHES.map(escapeRegExp).join('|');
  const suffixed = new RegExp(`^${escapeRegExp(packageName)}-(${arches})((?:-[a-z0-9_]+)*)-${distribution}\\.config$`);
  const plain = new RegExp(`^${escapeRegExp(packageName)}-(${arches})((?:-[a-z0-9_]+)*)\\.config$`);
  const files = readSpecSources(lines).map((s) => ({ s, file: sourceFileName(s.value, packageName, macros) }));
  const out: ConfigSource[] = [];
  for (const { s, file } of files) {
    const m = file ? suffixed.exec(file) : null;
    if (m && !out.some((o) => o.file === file))
      out.push({ arch: m[1] as RpmArch, file: file!, flavour: m[2]!.replace(/^-/, ''), sourceNumber: s.number, style: 'distribution' });
  }
  if (out.length) return out;
  for (const { s, file } of files) {
    const m = file ? plain.exec(file) : null;
    if (m && !/-(fedora|rhel)$/.test(m[2]!) && !out.some((o) => o.file === file))
      out.push({ arch: m[1] as RpmArch, file: file!, flavour: m[2]!.replace(/^-/, ''), sourceNumber: s.number, style: 'plain' });
  }
  return out;
}

/** The Source holding options for every arch (`Source3001: kernel-local`), by file name. */
export function findKernelLocalSource(lines: readonly string[], packageName: string, macros?: SpecMacros): string | undefined {
  for (const s of readSpecSources(lines)) if (sourceFileName(s.value, packageName, macros) === 'kernel-local') return 'kernel-local';
  return undefined;
}
