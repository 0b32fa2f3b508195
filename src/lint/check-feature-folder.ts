import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../findings/finding.js';
import type { Feature } from '../model/feature.js';
import { displayPath } from '../model/safe-path.js';
import { parsePatch } from '../patches/parse-patch.js';

/**
 * Lint rules for one loaded feature folder beyond what loading checks: patches that the series
 * leaves out, a missing README, names in requires/conflicts that are no feature.
 */
export async function checkFeatureFolder(
  root: string,
  feature: Feature,
  knownNames: ReadonlySet<string>,
  providedNames: ReadonlySet<string>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const dir = path.join(root, feature.dir);
  if (!feature.hasReadme) {
    findings.push({
      code: 'W_FEATURE_README',
      severity: 'warning',
      message: `${feature.name} has no README.md`,
      where: { file: displayPath(path.join(dir, 'feature.yml')), line: 0, col: 0 },
      feature: feature.name,
      hint: 'say what the feature is for and where its patches come from',
    });
  }
  let onDisk: string[] = [];
  try {
    onDisk = (await readdir(path.join(dir, 'patches'))).filter((n) => n.endsWith('.patch') || n.endsWith('.diff'));
  } catch {
    /* no patches/ folder */
  }
  for (const p of feature.patches) findings.push(...parsePatch(p.text, p.display).findings.map((f) => ({ ...f, feature: feature.name })));
  const used = new Set(feature.patches.map((p) => p.path.split('/').pop()));
  for (const name of onDisk.sort()) {
    if (!used.has(name)) {
      findings.push({
        code: 'W_PATCH_NOT_IN_SERIES',
        severity: 'warning',
        message: `patches/${name} is not listed in series, so it is never applied`,
        where: { file: displayPath(path.join(dir, 'patches', name)), line: 0, col: 0 },
        feature: feature.name,
        hint: 'add it to series, or delete it',
      });
    }
  }
  for (const r of feature.requires) {
    if (!knownNames.has(r.name) && !providedNames.has(r.name)) {
      findings.push({
        code: 'E_REQUIRES_MISSING',
        severity: 'error',
        message: `${feature.name} requires '${r.name}', which no feature folder is or provides`,
        where: r.where,
        feature: feature.name,
      });
    }
  }
  for (const c of feature.conflicts) {
    if (!knownNames.has(c.name) && !providedNames.has(c.name)) {
      findings.push({
        code: 'W_CONFLICTS_UNKNOWN',
        severity: 'warning',
        message: `${feature.name} conflicts with '${c.name}', which no feature folder is or provides`,
        where: c.where,
        feature: feature.name,
        hint: 'a typo here silently allows the combination it meant to forbid',
      });
    }
  }
  return findings;
}
