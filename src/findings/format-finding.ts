import type { Finding, SourceLocation } from './finding.js';

export function formatLocation(where: SourceLocation | undefined): string {
  if (!where) return 'kplay';
  if (where.line <= 0) return where.file;
  if (where.col <= 0) return `${where.file}:${where.line}`;
  return `${where.file}:${where.line}:${where.col}`;
}

/**
 * Compiler-style rendering: `file:line:col: error CODE: message`, then one indented line per
 * related location and the hint.
 */
export function formatFinding(f: Finding): string {
  const scope = [f.feature ? `feature ${f.feature}` : '', f.arch ? `arch ${f.arch}` : ''].filter(Boolean).join(', ');
  const lines = [`${formatLocation(f.where)}: ${f.severity} ${f.code}: ${f.message}${scope ? ` [${scope}]` : ''}`];
  for (const r of f.related ?? []) lines.push(`  ${formatLocation(r.where)}: note: ${r.message}`);
  if (f.hint) lines.push(`  hint: ${f.hint}`);
  return lines.join('\n');
}

export function summarizeFindings(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
