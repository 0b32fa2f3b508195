import type { ComposeResult } from '../compose/compose-variant.js';
import type { Finding, SourceLocation } from '../findings/finding.js';
import { VARIANT_ROW, worstStatus, type CellStatus, type FeatureCell, type MatrixCell, type MatrixFinding } from './matrix-report.js';

export function formatWhere(w: SourceLocation | undefined): string | undefined {
  if (!w) return undefined;
  return w.line ? `${w.file}:${w.line}${w.col ? `:${w.col}` : ''}` : w.file;
}

function toMatrixFinding(f: Finding): MatrixFinding {
  const where = formatWhere(f.where);
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    ...(where ? { where } : {}),
    ...(f.arch ? { arch: f.arch } : {}),
    ...(f.hint ? { hint: f.hint } : {}),
    ...(f.related?.length ? { related: f.related.map((r) => ({ message: r.message, where: formatWhere(r.where)! })) } : {}),
  };
}

/**
 * The feature a finding is about: its `feature` field, else the feature whose folder holds the
 * file it points at (the longest matching name, for nested features like deprecated-drivers/x).
 */
export function featureOfFinding(f: Finding, features: readonly string[]): string | undefined {
  if (f.feature && features.includes(f.feature)) return f.feature;
  const files = [f.where?.file, ...(f.related ?? []).map((r) => r.where.file)].filter((x): x is string => Boolean(x));
  const file = files[0];
  if (!file) return f.feature;
  const normalised = `/${file.replace(/\\/g, '/')}`;
  const hits = features.filter((name) => normalised.includes(`/features/${name}/`));
  return hits.sort((a, b) => b.length - a.length)[0] ?? f.feature;
}

function statusOf(findings: readonly MatrixFinding[]): CellStatus {
  if (findings.some((f) => f.severity === 'error')) return 'broken';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

/** The feature names a compose result covers: what it resolved, else what the variant declared. */
export function featuresOfResult(result: ComposeResult): string[] {
  const declared = result.variant?.features.map((f) => f.name) ?? [];
  const resolved = result.resolved?.order.map((r) => r.feature.name) ?? [];
  return [...new Set([...declared, ...resolved])];
}

/**
 * The checks a compose skipped (`checks.build: "skipped: no kernel-devel given …"`): a cell is
 * green only when none was. "skipped: earlier errors" is left out: such a cell is broken anyway.
 */
export function skippedChecks(checks: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(checks ?? {})
    .filter(([, v]) => v.startsWith('skipped:') && !/^skipped: earlier errors/.test(v))
    .map(([k, v]) => `${k} (${v.replace(/^skipped:\s*/, '')})`);
}

/**
 * Split one compose result into per-feature cells: each finding goes to its feature's row (or the
 * variant row), and each row's status is its worst finding. When compose stopped before the checks
 * (unusable input), features without findings of their own are `unchecked`; when it skipped a
 * check that applies (no kernel-devel for the compile test, …), every row that would be green is
 * `unchecked` and the cell lists the skipped checks.
 */
export function classifyCell(
  variant: string,
  base: string,
  result: ComposeResult,
  millis: number,
  knownFeatures: readonly string[] = [],
): MatrixCell {
  const features = [...new Set([...featuresOfResult(result), ...knownFeatures])];
  const rows = new Map<string, MatrixFinding[]>(features.map((f) => [f, []]));
  for (const f of result.findings) {
    const name = featureOfFinding(f, features);
    const row = name && rows.has(name) ? name : VARIANT_ROW;
    if (!rows.has(row)) rows.set(row, []);
    rows.get(row)!.push(toMatrixFinding(f));
  }
  const stoppedEarly = result.exitCode === 2 || !result.merged;
  const skipped = skippedChecks(result.checks);
  const out: Record<string, FeatureCell> = {};
  let overall: CellStatus = 'ok';
  for (const [name, list] of rows) {
    let status = statusOf(list);
    if (status === 'ok' && stoppedEarly && name !== VARIANT_ROW) status = 'unchecked';
    // green means checked: a skipped check greys every row that has no error of its own
    if ((status === 'ok' || status === 'warning') && skipped.length) status = 'unchecked';
    overall = worstStatus(overall, status);
    const leftOut = (result.resolved?.leftOut ?? [])
      .filter((l) => l.feature === name)
      .map((l) => (l.patch ? `patch ${l.patch}: ${l.reason}` : `the whole feature: ${l.reason}`));
    out[name] = { status, codes: [...new Set(list.map((f) => f.code))], findings: list, ...(leftOut.length ? { leftOut } : {}) };
  }
  return {
    variant,
    base,
    status: overall,
    exitCode: result.exitCode,
    features: out,
    checks: result.checks,
    ...(skipped.length ? { skipped } : {}),
    millis,
  };
}
