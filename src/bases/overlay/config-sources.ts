import type { RpmArch } from '../../model/arch.js';
import { RPM_ARCHES } from '../../model/arch.js';
import { readSpecSources, sourceFileName } from './spec-sources.js';

/** A per-arch config Source of a distribution spec, found by its file name. */
export interface ConfigSource {
  arch: RpmArch;
  /** File name in the distribution's files (`kernel-x86_64-debug-fedora.config`). */
  file: string;
  /** The flavour parts between arch and distribution (`debug`, `64k-debug`), '' for the plain config. */
  flavour: string;
  sourceNumber: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The config Sources of a spec: `<name>-<arch>[-<flavour>...]-<fedora|rhel>.config`, debug and other
 * flavours included. Numbers move between releases, so only the file name counts.
 */
export function findConfigSources(lines: readonly string[], packageName: string, distribution: 'fedora' | 'rhel'): ConfigSource[] {
  const pattern = new RegExp(`^${escapeRegExp(packageName)}-(${RPM_ARCHES.map(escapeRegExp).join('|')})((?:-[a-z0-9_]+)*)-${distribution}\\.config$`);
  const out: ConfigSource[] = [];
  for (const s of readSpecSources(lines)) {
    const file = sourceFileName(s.value, packageName);
    const m = file ? pattern.exec(file) : null;
    if (m) out.push({ arch: m[1] as RpmArch, file: file!, flavour: m[2]!.replace(/^-/, ''), sourceNumber: s.number });
  }
  return out;
}

/** The Source holding options for every arch (`Source3001: kernel-local`), by file name. */
export function findKernelLocalSource(lines: readonly string[], packageName: string): string | undefined {
  for (const s of readSpecSources(lines)) if (sourceFileName(s.value, packageName) === 'kernel-local') return 'kernel-local';
  return undefined;
}
