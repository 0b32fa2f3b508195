import type { Finding, SourceLocation } from './finding.js';
import { printable, printableLines } from './printable.js';

export function formatLocation(where: SourceLocation | undefined): string {
  if (!where) return 'kplay';
  const file = printable(where.file);
  if (where.line <= 0) return file;
  if (where.col <= 0) return `${file}:${where.line}`;
  return `${file}:${where.line}:${where.col}`;
}

/**
 * Compiler-style rendering: `file:line:col: error CODE: message`, then one indented line per
 * related location and the hint. Control characters (from a hub, a repository, a file name) are
 * escaped: a finding is one line each, and no escape sequence reaches the terminal.
 */
export function formatFinding(f: Finding): string {
  const scope = [f.feature ? `feature ${f.feature}` : '', f.arch ? `arch ${f.arch}` : ''].filter(Boolean).join(', ');
  const lines = [`${formatLocation(f.where)}: ${f.severity} ${f.code}: ${printable(f.message)}${scope ? ` [${printable(scope)}]` : ''}`];
  for (const r of f.related ?? []) lines.push(`  ${formatLocation(r.where)}: note: ${printable(r.message)}`);
  // a hint may hold several lines kplay wrote (a build log tail, indented): their breaks are kept, control characters escaped
  if (f.hint) lines.push(`  hint: ${printableLines(f.hint)}`);
  return lines.join('\n');
}

export function summarizeFindings(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}
