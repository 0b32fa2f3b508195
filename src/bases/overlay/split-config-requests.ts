import { sameConfigValue } from '../../config/config-value.js';
import type { MergedConfig } from '../../config/merge-config.js';
import type { RpmArch } from '../../model/arch.js';
import type { ConfigRequest } from '../../model/types.js';

export interface SplitRequests {
  /** Same value on every arch of the variant: written to kernel-local (merged into every config). */
  everyArch: ConfigRequest[];
  /** The rest, per arch: merged into that arch's config Sources. */
  perArch: Map<RpmArch, ConfigRequest[]>;
}

/**
 * kernel-local cannot express per-arch options, so a symbol goes there only when every arch of the
 * variant asks the same value for it; otherwise each arch's value goes into its own config Sources.
 */
export function splitConfigRequests(merged: readonly MergedConfig[]): SplitRequests {
  const everyArch: ConfigRequest[] = [];
  const perArch = new Map<RpmArch, ConfigRequest[]>(merged.map((m) => [m.arch, []]));
  const symbols = [...new Set(merged.flatMap((m) => [...m.symbols.keys()]))].sort();
  for (const sym of symbols) {
    const requests = merged.map((m) => m.symbols.get(sym)?.request);
    const first = requests[0];
    if (first && requests.every((r) => r && sameConfigValue(r.value, first.value))) {
      everyArch.push(first);
      continue;
    }
    merged.forEach((m, i) => {
      const r = requests[i];
      if (r) perArch.get(m.arch)!.push(r);
    });
  }
  return { everyArch, perArch };
}
