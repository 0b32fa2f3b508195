import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../findings/finding.js';
import { baseKindOf } from '../bases/index.js';
import { composeVariant } from '../compose/compose-variant.js';
import type { Feature } from '../model/feature.js';
import { loadFeature } from '../load/load-feature.js';
import { loadVariant } from '../load/load-variant.js';
import { isInside } from '../model/safe-path.js';
import { listFeatureNames } from '../resolve/feature-catalogue.js';
import { checkFeatureFolder } from './check-feature-folder.js';

export interface CheckReport {
  features: number;
  variants: number;
  findings: Finding[];
}

async function variantFiles(root: string): Promise<string[]> {
  try {
    return (await readdir(path.join(root, 'variants')))
      .filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.'))
      .sort()
      .map((n) => path.join(root, 'variants', n));
  } catch {
    return [];
  }
}

/**
 * Validate a repository (or the given feature folders and variant files inside it): every
 * feature loads and passes the lint rules, every variant composes (nothing is written).
 */
export async function checkRepository(root: string, only: string[] = [], opts: { kernelSource?: string } = {}): Promise<CheckReport> {
  const findings: Finding[] = [];
  const names = await listFeatureNames(root);
  const wanted = only.map((p) => path.resolve(p));
  const selected = (abs: string) => wanted.length === 0 || wanted.some((w) => isInside(w, abs) || isInside(abs, w));
  const loaded: Feature[] = [];
  for (const name of names) {
    const r = await loadFeature(root, name);
    if (selected(path.join(root, 'features', name))) findings.push(...r.findings);
    if (r.feature) loaded.push(r.feature);
  }
  const known = new Set(names);
  const provided = new Set(loaded.flatMap((f) => f.provides.map((p) => p.name)));
  let featureCount = 0;
  for (const f of loaded) {
    if (!selected(path.join(root, f.dir))) continue;
    featureCount++;
    findings.push(...(await checkFeatureFolder(root, f, known, provided)));
  }
  let variantCount = 0;
  const files = [
    ...(await variantFiles(root)),
    ...wanted.filter((w) => /\.ya?ml$/.test(w) && !w.includes(`${path.sep}features${path.sep}`)),
  ];
  for (const file of [...new Set(files)]) {
    if (!selected(file)) continue;
    try {
      if (!(await stat(file)).isFile()) continue;
    } catch {
      continue;
    }
    variantCount++;
    const loaded = await loadVariant(file);
    const skipped = loaded.variant && baseKindOf(loaded.variant).notComposedByCheck(loaded.variant, file);
    if (skipped) {
      findings.push(skipped);
      continue;
    }
    const r = await composeVariant(file, { root, write: false, ...(opts.kernelSource ? { kernelSource: opts.kernelSource } : {}) });
    // feature problems were reported once above; keep the variant's own findings
    const seen = new Set(findings.map((f) => `${f.code}|${f.where?.file}|${f.where?.line}|${f.message}`));
    for (const f of r.findings) if (!seen.has(`${f.code}|${f.where?.file}|${f.where?.line}|${f.message}`)) findings.push(f);
  }
  return { features: featureCount, variants: variantCount, findings };
}
