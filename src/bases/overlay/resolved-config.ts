import type { Finding } from '../../findings/finding.js';
import type { RpmArch } from '../../model/arch.js';
import type { ConfigRequest } from '../../model/types.js';
import type { KconfigTree, ResolvedConfig } from '../../kconfig/index.js';

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

/** One config Source as the Kconfig engine resolved it (for `kplay explain` on an overlay). */
export interface ObservedResolution {
  arch: RpmArch;
  /** the config Source's file name (`kernel-x86_64-fedora.config`) */
  file: string;
  tree: KconfigTree;
  resolved: ResolvedConfig;
  requests: readonly ConfigRequest[];
}

/** An option `make listnewconfig` lists for the merged config but not for the distribution's own. */
export interface NewOption {
  symbol: string;
  /** Its line as olddefconfig writes it (`CONFIG_X=y`, `# CONFIG_X is not set`). */
  line: string;
  /** The requested symbols whose value made it visible (nearest dependency first); empty when none is found. */
  exposedBy: string[];
}

/**
 * The Kconfig engine's part: resolve `mergedText` like `make olddefconfig` on the base tree and
 * return the resolved config, its own findings (E_KCONFIG_UNMET, ...), and, when the resolver
 * knows the tree's menus, the options `listnewconfig` shows only because of the variant, plus
 * `baseResolvedText`: `baseText` resolved alone (what the distribution's own check sees).
 */
export type ConfigResolver = (
  request: ConfigResolveRequest,
) => Promise<{ text: string; findings: Finding[]; newOptions?: NewOption[]; baseResolvedText?: string }>;

/** A line `process_configs.sh -c` reports: the Source had `had`, olddefconfig wrote `now`. */
export interface ConfigMismatch {
  symbol: string;
  had: string;
  now: string;
}

/**
 * process_configs.sh's checkoptions (its awk, read for its meaning): for every line of the
 * olddefconfig output that sets a symbol (`CONFIG_X=v` or `# CONFIG_X is not set`), a mismatch when
 * the Source gave that symbol another value. Symbols the output does not write are not compared.
 */
export function processConfigsMismatches(sourceText: string, resolvedText: string): ConfigMismatch[] {
  const had = new Map<string, string>();
  for (const line of sourceText.split('\n')) {
    const v = checkedValue(line);
    if (v) had.set(v.symbol, v.value);
  }
  const out: ConfigMismatch[] = [];
  for (const line of resolvedText.split('\n')) {
    const v = checkedValue(line);
    if (!v) continue;
    const before = had.get(v.symbol);
    if (before !== undefined && before !== v.value) out.push({ symbol: v.symbol, had: before, now: v.value });
  }
  return out;
}

function checkedValue(line: string): { symbol: string; value: string } | undefined {
  const unset = /^# (CONFIG_[A-Za-z0-9_]+) is not set\s*$/.exec(line);
  if (unset) return { symbol: unset[1]!, value: 'is not set' };
  const set = /^(CONFIG_[A-Za-z0-9_]+)=([^=]*)/.exec(line);
  if (set) return { symbol: set[1]!, value: set[2]! };
  return undefined;
}

const key = (m: ConfigMismatch) => `${m.symbol}\u0000${m.had}\u0000${m.now}`;

/**
 * What `process_configs -c` would report because of the variant: the mismatches of the merged
 * Source that the distribution's own Source does not have. Listed in full in one
 * W_OVERLAY_CONFIG_MISMATCH per Source (kplay writes olddefconfig's value in their place).
 */
export function predictConfigMismatches(
  request: ConfigResolveRequest,
  resolvedText: string,
  baseline?: { sourceText: string; resolvedText: string },
): Finding[] {
  const changed = variantMismatches(request.mergedText, resolvedText, baseline);
  if (!changed.length) return [];
  return [
    {
      code: 'W_OVERLAY_CONFIG_MISMATCH',
      severity: 'warning',
      message: `${request.file}: process_configs -c would have failed on ${changed.length} mismatch(es) the variant causes; kplay writes olddefconfig's value in their place: ${changed.map(showMismatch).join(', ')}`,
      arch: request.arch,
      where: { file: request.file, line: 0, col: 0 },
      hint: 'set these values in a feature, or drop the request that changes them',
    },
  ];
}

/** The mismatches of `sourceText` that `baseline` (the distribution's own Source, resolved) does not have. */
export function variantMismatches(
  sourceText: string,
  resolvedText: string,
  baseline?: { sourceText: string; resolvedText: string },
): ConfigMismatch[] {
  const known = new Set(baseline ? processConfigsMismatches(baseline.sourceText, baseline.resolvedText).map(key) : []);
  return processConfigsMismatches(sourceText, resolvedText).filter((m) => !known.has(key(m)));
}

export function showMismatch(m: ConfigMismatch): string {
  return `${m.symbol}: ${show(m.had)} -> ${show(m.now)}`;
}

function show(value: string): string {
  return value === 'is not set' ? 'n' : value;
}
