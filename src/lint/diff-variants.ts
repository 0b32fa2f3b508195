import { createHash } from 'node:crypto';
import { showConfigValue } from '../config/config-value.js';
import type { ComposeResult } from '../compose/compose-variant.js';
import type { MergedSymbol } from '../config/merge-config.js';
import type { RpmArch } from '../model/arch.js';
import type { Variant } from '../model/variant.js';
import { baseKindOf } from '../bases/index.js';

export interface ConfigDifference {
  arch: RpmArch;
  symbol: string;
  a?: { value: string; at: string; by: string };
  b?: { value: string; at: string; by: string };
}

/** The base a variant builds on, as a diff shows it (kind, kernel version, where it comes from). */
export interface BaseSummary {
  kind: string;
  version: string;
  from: string;
  at: string;
}

export interface VariantDiff {
  /** Present when the two bases differ in kind, kernel version or origin. */
  base?: { a: BaseSummary; b: BaseSummary };
  archesAdded: RpmArch[];
  archesRemoved: RpmArch[];
  featuresAdded: string[];
  featuresRemoved: string[];
  config: ConfigDifference[];
  patchesAdded: string[];
  patchesRemoved: string[];
  patchesChanged: string[];
}

function baseSummary(variant: Variant): BaseSummary {
  const base = variant.base;
  return { kind: base.kind, ...baseKindOf(variant).describeBase(base), at: `${base.versionWhere.file}:${base.versionWhere.line}` };
}

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What differs between two composed variants: base, arches, features, requested config values, patches. */
export function diffVariants(a: ComposeResult, b: ComposeResult, arches?: RpmArch[]): VariantDiff {
  const fa = a.resolved!.order.map((r) => r.feature.name);
  const fb = b.resolved!.order.map((r) => r.feature.name);
  const config: ConfigDifference[] = [];
  const archList = arches ?? [...new Set([...a.variant!.arches.list, ...b.variant!.arches.list])];
  for (const arch of archList) {
    const ma = a.merged!.find((m) => m.arch === arch)?.symbols ?? new Map<string, MergedSymbol>();
    const mb = b.merged!.find((m) => m.arch === arch)?.symbols ?? new Map<string, MergedSymbol>();
    for (const symbol of [...new Set([...ma.keys(), ...mb.keys()])].sort()) {
      const x = ma.get(symbol)?.request;
      const y = mb.get(symbol)?.request;
      const show = (r: typeof x) =>
        r && { value: showConfigValue(r.value), at: `${r.where.file}:${r.where.line}`, by: `${r.origin.kind} ${r.origin.name}` };
      if (x && y && showConfigValue(x.value) === showConfigValue(y.value)) continue;
      config.push({ arch, symbol: `CONFIG_${symbol}`, ...(x ? { a: show(x) } : {}), ...(y ? { b: show(y) } : {}) });
    }
  }
  const pa = new Map(a.patches!.map((p) => [p.origin, digest(p.text)]));
  const pb = new Map(b.patches!.map((p) => [p.origin, digest(p.text)]));
  const [ba, bb] = [baseSummary(a.variant!), baseSummary(b.variant!)];
  const sameBase = ba.kind === bb.kind && ba.version === bb.version && ba.from === bb.from;
  const [aa, ab] = [a.variant!.arches.list, b.variant!.arches.list];
  return {
    ...(sameBase ? {} : { base: { a: ba, b: bb } }),
    archesAdded: ab.filter((x) => !aa.includes(x)),
    archesRemoved: aa.filter((x) => !ab.includes(x)),
    featuresAdded: fb.filter((f) => !fa.includes(f)),
    featuresRemoved: fa.filter((f) => !fb.includes(f)),
    config,
    patchesAdded: [...pb.keys()].filter((p) => !pa.has(p)),
    patchesRemoved: [...pa.keys()].filter((p) => !pb.has(p)),
    patchesChanged: [...pa.keys()].filter((p) => pb.has(p) && pb.get(p) !== pa.get(p)),
  };
}
