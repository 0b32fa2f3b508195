import type { Finding } from '../../findings/finding.js';
import type { RpmArch } from '../../model/arch.js';
import type { ConfigRequest } from '../../model/types.js';
import { readConfigLines } from './set-config-values.js';

/** What the overlay hands the Kconfig engine for one config Source. */
export interface ConfigResolveRequest {
  arch: RpmArch;
  /** Config Source file name (`kernel-x86_64-debug-fedora.config`). */
  file: string;
  /** The Source as merge.py leaves it: the distribution's config with kernel-local and the arch's options set. */
  mergedText: string;
  /** The distribution's config Source as it is, before any value of the variant. */
  baseText?: string;
  /** The values the variant asks on this arch, with who asked (so lost values name their feature). */
  requests?: readonly ConfigRequest[];
}

/**
 * The Kconfig engine's part: resolve `mergedText` like `make olddefconfig` on the base tree and
 * return the full resolved config plus its own findings (E_KCONFIG_UNMET, ...).
 */
export type ConfigResolver = (request: ConfigResolveRequest) => Promise<{ text: string; findings: Finding[] }>;

/**
 * What process_configs.sh -c would have reported: every symbol the merged config sets that the
 * resolved config sets differently (or drops). Written out resolved, the build sees no mismatch;
 * these are W_OVERLAY_CONFIG_MISMATCH warnings naming what the resolution changed.
 */
export function predictConfigMismatches(request: ConfigResolveRequest, resolvedText: string): Finding[] {
  const before = readConfigLines(request.mergedText);
  const after = readConfigLines(resolvedText);
  const changed: string[] = [];
  for (const [sym, line] of before) {
    const now = after.get(sym);
    const wasUnset = line.startsWith('#');
    if (now === undefined ? !wasUnset : now !== line)
      changed.push(`CONFIG_${sym}: ${show(line)} -> ${now === undefined ? 'gone' : show(now)}`);
  }
  if (!changed.length) return [];
  return [
    {
      code: 'W_OVERLAY_CONFIG_MISMATCH',
      severity: 'warning',
      message: `${request.file}: process_configs -c would have failed on ${changed.length} mismatch(es); kplay writes the resolved config instead: ${changed.slice(0, 20).join(', ')}${changed.length > 20 ? ', ...' : ''}`,
      arch: request.arch,
      where: { file: request.file, line: 0, col: 0 },
    },
  ];
}

function show(line: string): string {
  return line.startsWith('#') ? 'n' : line.slice(line.indexOf('=') + 1);
}
