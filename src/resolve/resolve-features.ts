import type { Finding } from '../findings/finding.js';
import type { RpmArch } from '../model/arch.js';
import type { Feature, NameRef } from '../model/feature.js';
import { loadFeature } from '../load/load-feature.js';
import type { Variant } from '../model/variant.js';
import { listFeatureNames } from './feature-catalogue.js';
import { parseKernelVersion, rangeSatisfied } from '../model/kernel-version.js';
import { patchesForVersion } from './patch-kernel-range.js';

export interface ResolvedFeature {
  feature: Feature;
  /** Why it is in: listed by the variant, or required by another feature. */
  reason: { kind: 'variant'; where: NameRef['where'] } | { kind: 'required'; by: string; where: NameRef['where'] };
  /** Arches of the variant this feature applies to. */
  arches: RpmArch[];
}

export interface ResolvedFeatures {
  /** Requires before requirers; otherwise the variant's order. Patches apply in this order. */
  order: ResolvedFeature[];
  /**
   * What the variant's features hold but this compose leaves out, and why: patches for other
   * kernel versions, features for arches the variant does not build. Shown in the summary, the
   * manifest and the matrix, so no decision is invisible.
   */
  leftOut: LeftOut[];
}

export interface LeftOut {
  feature: string;
  /** the patch, relative to the repository root (the same bytes from any folder); absent when the whole feature is left out */
  patch?: string;
  reason: string;
}

/**
 * Resolve the variant's features: load each folder, close over `requires` (by name or by a
 * feature that `provides` it), order them, and check conflicts, kernel ranges and arches.
 */
export async function resolveFeatures(variant: Variant, root: string): Promise<{ resolved: ResolvedFeatures; findings: Finding[] }> {
  const findings: Finding[] = [];
  const loaded = new Map<string, Feature | null>();
  const load = async (name: string, ref: NameRef, quiet = false): Promise<Feature | undefined> => {
    if (!loaded.has(name)) {
      const r = await loadFeature(root, name, ref);
      if (!quiet || r.feature) findings.push(...r.findings);
      loaded.set(name, r.feature ?? null);
    }
    return loaded.get(name) ?? undefined;
  };
  let catalogue: Promise<string[]> | undefined;
  const featureNames = () => (catalogue ??= listFeatureNames(root));
  /** A feature that provides a virtual name (scans the catalogue once, on first need). */
  const provider = async (name: string, ref: NameRef): Promise<Feature | undefined> => {
    for (const f of loaded.values()) if (f?.provides.some((p) => p.name === name)) return f;
    for (const candidate of await featureNames()) {
      if (loaded.has(candidate)) continue;
      const before = findings.length;
      const f = await load(candidate, ref, true);
      findings.splice(before); // problems of unrelated features do not belong to this variant
      if (!f) loaded.delete(candidate);
      if (f?.provides.some((p) => p.name === name)) return f;
    }
    return undefined;
  };

  const order: ResolvedFeature[] = [];
  const placed = new Set<string>();
  const stack: Array<{ name: string; ref: NameRef }> = [];

  const visit = async (name: string, ref: NameRef, reason: ResolvedFeature['reason']): Promise<void> => {
    if (placed.has(name)) return;
    const onStack = stack.findIndex((s) => s.name === name);
    if (onStack >= 0) {
      const cycle = [...stack.slice(onStack).map((s) => s.name), name].join(' -> ');
      findings.push({
        code: 'E_REQUIRES_CYCLE',
        severity: 'error',
        message: `requires cycle: ${cycle}`,
        where: ref.where,
        related: stack.slice(onStack + 1).map((s) => ({ message: `${s.name} is required here`, where: s.ref.where })),
        hint: 'two features cannot require each other; merge them or drop one requirement',
      });
      return;
    }
    const feature = await load(name, ref);
    if (!feature) return;
    stack.push({ name, ref });
    for (const req of feature.requires) {
      if (placed.has(req.name) || [...placed].some((p) => loaded.get(p)?.provides.some((v) => v.name === req.name))) continue;
      if ((await featureNames()).includes(req.name)) {
        await visit(req.name, req, { kind: 'required', by: name, where: req.where });
        continue;
      }
      const p = await provider(req.name, req);
      if (p) {
        await visit(p.name, req, { kind: 'required', by: name, where: req.where });
      } else {
        findings.push({
          code: 'E_REQUIRES_MISSING',
          severity: 'error',
          message: `${name} requires '${req.name}', which no feature folder is or provides`,
          where: req.where,
          feature: name,
          hint: `add features/${req.name}/ or a feature that lists '${req.name}' under provides`,
        });
      }
    }
    stack.pop();
    if (placed.has(name)) return;
    placed.add(name);
    order.push({ feature, reason, arches: [] });
  };
  for (const ref of variant.features) await visit(ref.name, ref, { kind: 'variant', where: ref.where });

  checkConflicts(order, findings);
  checkVersions(variant, order, findings);
  // patches for other kernel versions (patches/6.1/, `kernel:` series options) are left out
  const leftOut: LeftOut[] = [];
  for (const r of order)
    if (r.feature.patches.some((p) => p.kernel)) {
      const kept = patchesForVersion(r.feature.patches, variant.base.version);
      for (const p of r.feature.patches)
        if (!kept.includes(p))
          leftOut.push({
            feature: r.feature.name,
            patch: p.path,
            reason: `for kernel ${p.kernel!.text}, the base is ${variant.base.version}`,
          });
      r.feature = { ...r.feature, patches: kept };
    }
  for (const r of order) {
    r.arches = variant.arches.list.filter((a) => !r.feature.arches || r.feature.arches.list.includes(a));
    if (r.arches.length === 0) {
      leftOut.push({
        feature: r.feature.name,
        reason: `supports ${r.feature.arches!.list.join(', ')}; the variant builds ${variant.arches.list.join(', ')}`,
      });
      findings.push({
        code: 'W_FEATURE_NO_ARCH',
        severity: 'warning',
        message: `${r.feature.name} supports ${r.feature.arches!.list.join(', ')}, none of which this variant builds (${variant.arches.list.join(', ')}); its config is not used`,
        where: r.feature.arches!.where,
        feature: r.feature.name,
        related: [{ message: 'the variant builds these arches', where: variant.arches.where }],
      });
    }
  }
  return { resolved: { order, leftOut }, findings };
}

function checkConflicts(order: ResolvedFeature[], findings: Finding[]): void {
  const names = (f: Feature) => [f.name, ...f.provides.map((p) => p.name)];
  const reported = new Set<string>();
  for (const a of order) {
    for (const b of order) {
      if (a === b) continue;
      const key = [a.feature.name, b.feature.name].sort().join('\0');
      const declared = a.feature.conflicts.find((c) => names(b.feature).includes(c.name));
      if (declared && !reported.has(key)) {
        reported.add(key);
        findings.push({
          code: 'E_FEATURE_CONFLICT',
          severity: 'error',
          message: `${a.feature.name} conflicts with ${b.feature.name}${declared.name !== b.feature.name ? ` (which provides '${declared.name}')` : ''}`,
          where: declared.where,
          feature: a.feature.name,
          related: [
            {
              message: `${b.feature.name} is in this variant ${b.reason.kind === 'variant' ? 'here' : `(required by ${b.reason.by})`}`,
              where: b.reason.where,
            },
            {
              message: `${a.feature.name} is in this variant ${a.reason.kind === 'variant' ? 'here' : `(required by ${a.reason.by})`}`,
              where: a.reason.where,
            },
          ],
          hint: 'remove one of the two features from the variant',
        });
      }
      const shared = a.feature.provides.find((p) => b.feature.provides.some((q) => q.name === p.name));
      if (shared && !reported.has(key) && a.feature.name < b.feature.name) {
        reported.add(key);
        const other = b.feature.provides.find((q) => q.name === shared.name)!;
        findings.push({
          code: 'E_FEATURE_CONFLICT',
          severity: 'error',
          message: `${a.feature.name} and ${b.feature.name} both provide '${shared.name}'; only one may be used`,
          where: shared.where,
          feature: a.feature.name,
          related: [{ message: `${b.feature.name} provides it here`, where: other.where }],
        });
      }
    }
  }
}

function checkVersions(variant: Variant, order: ResolvedFeature[], findings: Finding[]): void {
  const version = parseKernelVersion(variant.base.version);
  if (!version) return;
  for (const r of order) {
    const k = r.feature.kernel;
    if (k && !rangeSatisfied(version, k.range)) {
      findings.push({
        code: 'E_VERSION_RANGE',
        severity: 'error',
        message: `${r.feature.name} supports kernel ${k.text}, but the base is ${variant.base.version}`,
        where: k.where,
        feature: r.feature.name,
        related: [
          { message: `base version ${variant.base.version} is set here`, where: variant.base.versionWhere },
          { message: `${r.feature.name} is used here`, where: r.reason.where },
        ],
        hint: 'drop the feature from this variant, or port it and widen its kernel range',
      });
    }
  }
}
