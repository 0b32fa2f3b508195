import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadFeature } from '../load/load-feature.js';
import { loadVariant } from '../load/load-variant.js';
import { listFeatureNames } from '../resolve/feature-catalogue.js';

export interface FeatureListing {
  name: string;
  summary: string;
  kernel: string;
  arches: string;
  patches: number;
  usedBy: string[];
  problems: number;
}

export interface VariantListing {
  name: string;
  file: string;
  summary: string;
  base: string;
  arches: string[];
  features: string[];
  problems: number;
}

/** Every variant of the repository, loaded (problems counted, not thrown). */
export async function listVariants(root: string): Promise<VariantListing[]> {
  let names: string[];
  try {
    names = (await readdir(path.join(root, 'variants'))).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
  } catch {
    return [];
  }
  const out: VariantListing[] = [];
  for (const n of names) {
    const file = path.join(root, 'variants', n);
    const r = await loadVariant(file);
    const v = r.variant;
    out.push({
      name: v?.name ?? n.replace(/\.ya?ml$/, ''),
      file: `variants/${n}`,
      summary: v?.summary ?? '',
      base: v ? `${v.base.kind} ${v.base.version}` : '',
      arches: v?.arches.list ?? [],
      features: v?.features.map((f) => f.name) ?? [],
      problems: r.findings.filter((f) => f.severity === 'error').length,
    });
  }
  return out;
}

/** Every feature of the repository with the variants that list it. */
export async function listFeatures(root: string): Promise<FeatureListing[]> {
  const variants = await listVariants(root);
  const out: FeatureListing[] = [];
  for (const name of await listFeatureNames(root)) {
    const r = await loadFeature(root, name);
    const f = r.feature;
    out.push({
      name,
      summary: f?.summary ?? '',
      kernel: f?.kernel?.text ?? 'any',
      arches: f?.arches?.list.join(',') ?? 'all',
      patches: f?.patches.length ?? 0,
      usedBy: variants.filter((v) => v.features.includes(name)).map((v) => v.name),
      problems: r.findings.filter((x) => x.severity === 'error').length,
    });
  }
  return out;
}
