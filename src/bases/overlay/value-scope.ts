import type { MergedConfig } from '../../config/merge-config.js';
import { mergedRequests } from '../../config/merge-config.js';
import type { RpmArch } from '../../model/arch.js';
import type { ConfigRequest } from '../../model/types.js';
import { splitConfigRequests } from './split-config-requests.js';

export interface ValueScope {
  /** Values written to kernel-local (merged by the spec into every config it assembles). */
  kernelLocal: ConfigRequest[];
  /** Values written to the config Sources of each arch that asked for them. */
  perArch: Map<RpmArch, ConfigRequest[]>;
}

/**
 * Where each requested value goes so that it reaches exactly the arches that asked. kernel-local
 * is merged into every arch's config (merge.py / merge.pl know no arch conditions), so it takes a
 * value only when every arch of the variant asks the same and the package has config Sources of
 * no other arch (Fedora's %prep merges kernel-local into every arch's configs, built or not).
 * Otherwise — no kernel-local (RHEL 8-era specs), or configs of other arches — every value goes
 * into the config Sources of the arches that asked.
 */
export function chooseValueScope(
  merged: readonly MergedConfig[],
  spec: { hasKernelLocal: boolean; configArches: readonly RpmArch[] },
): ValueScope {
  const variantArches = new Set(merged.map((m) => m.arch));
  if (spec.hasKernelLocal && spec.configArches.every((a) => variantArches.has(a))) {
    const split = splitConfigRequests(merged);
    return { kernelLocal: split.everyArch, perArch: split.perArch };
  }
  return { kernelLocal: [], perArch: new Map(merged.map((m) => [m.arch, mergedRequests(m)])) };
}
