import type { Finding } from '../findings/finding.js';
import type { RpmArch } from '../model/arch.js';
import type { ConfigRequest } from '../model/types.js';
import type { Variant } from '../model/variant.js';
import type { ResolvedFeatures } from '../resolve/resolve-features.js';
import { formatConfigLine, sameConfigValue, showConfigValue } from './config-value.js';
import { foldToOneLine } from '../boundary/index.js';

export interface MergedSymbol {
  /** The request that decides the value (later layers win). */
  request: ConfigRequest;
  /** Earlier requests for the same symbol that it replaced, oldest first. */
  overridden: ConfigRequest[];
}

/** One arch's merged requests: base → features in resolved order → variant overrides. */
export interface MergedConfig {
  arch: RpmArch;
  symbols: Map<string, MergedSymbol>;
}

function who(r: ConfigRequest): string {
  return r.origin.kind === 'feature'
    ? `feature ${r.origin.name}`
    : r.origin.kind === 'variant'
      ? `variant ${r.origin.name}`
      : `base ${r.origin.name}`;
}

/**
 * Merge config requests for one arch with provenance. Two features asking different values for
 * one symbol is E_VALUE_CONFLICT (both locations) unless the variant decides that symbol itself.
 */
export function mergeConfig(variant: Variant, resolved: ResolvedFeatures, arch: RpmArch): { merged: MergedConfig; findings: Finding[] } {
  const findings: Finding[] = [];
  const symbols = new Map<string, MergedSymbol>();
  const variantSets = new Set(variant.requests.filter((r) => !r.arch || r.arch === arch).map((r) => r.symbol));

  for (const { feature, arches } of resolved.order) {
    if (!arches.includes(arch)) continue;
    // within a feature, config.<arch> refines the generic config for that arch
    const mine = new Map<string, ConfigRequest>();
    for (const specific of [false, true]) {
      for (const r of feature.requests) {
        if (Boolean(r.arch) !== specific || (r.arch && r.arch !== arch)) continue;
        const prev = mine.get(r.symbol);
        if (prev && Boolean(prev.arch) === specific && !sameConfigValue(prev.value, r.value)) {
          findings.push({
            code: 'E_VALUE_CONFLICT',
            severity: 'error',
            message: `${feature.name} sets CONFIG_${r.symbol} twice: ${showConfigValue(prev.value)} and ${showConfigValue(r.value)}`,
            where: r.where,
            feature: feature.name,
            arch,
            related: [{ message: `also set to ${showConfigValue(prev.value)} here`, where: prev.where }],
          });
        }
        mine.set(r.symbol, r);
      }
    }
    for (const r of mine.values()) {
      const prev = symbols.get(r.symbol);
      if (prev && !sameConfigValue(prev.request.value, r.value) && !variantSets.has(r.symbol)) {
        findings.push({
          code: 'E_VALUE_CONFLICT',
          severity: 'error',
          message: `CONFIG_${r.symbol}: ${who(r)} wants ${showConfigValue(r.value)}, but ${who(prev.request)} wants ${showConfigValue(prev.request.value)}`,
          where: r.where,
          feature: feature.name,
          arch,
          related: [{ message: `${who(prev.request)} sets ${showConfigValue(prev.request.value)} here`, where: prev.request.where }],
          hint: `decide in the variant: add CONFIG_${r.symbol} under config: in ${variant.file}`,
        });
      }
      symbols.set(r.symbol, { request: r, overridden: prev ? [...prev.overridden, prev.request] : [] });
    }
  }
  for (const r of variant.requests) {
    if (r.arch && r.arch !== arch) continue;
    const prev = symbols.get(r.symbol);
    // arch-config beats config for the same symbol
    if (prev && prev.request.origin.kind === 'variant' && prev.request.arch && !r.arch) continue;
    symbols.set(r.symbol, { request: r, overridden: prev ? [...prev.overridden, prev.request] : [] });
  }
  return { merged: { arch, symbols }, findings };
}

/** The merged requests as a fragment in the kernel's syntax, each line after a provenance comment. */
export function renderFragment(merged: MergedConfig, place: (r: ConfigRequest) => string): string {
  const lines = [`# kplay: requested config for ${merged.arch}; each value follows the line that set it`];
  for (const sym of [...merged.symbols.keys()].sort()) {
    const { request } = merged.symbols.get(sym)!;
    lines.push(`# ${foldToOneLine(`${who(request)}: ${place(request)}`)}`);
    lines.push(formatConfigLine(sym, request.value));
  }
  return `${lines.join('\n')}\n`;
}

/** The deciding requests in merge order (for the Kconfig engine). */
export function mergedRequests(merged: MergedConfig): ConfigRequest[] {
  return [...merged.symbols.values()].map((s) => s.request);
}
