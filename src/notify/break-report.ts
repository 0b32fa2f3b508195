import type { Finding } from '../findings/finding.js';
import { formatFinding } from '../findings/format-finding.js';

/** What tracking found when a new distribution kernel breaks a kmod (or a kernel variant). */
export interface BreakReport {
  kind: 'kplay-break';
  variant: string;
  variantFile: string;
  /** The package and its modules (kmod variants). */
  package?: string;
  modules: string[];
  /** The kernel the variant builds today, and the one that breaks it. */
  currentKernel: string;
  newKernel: string;
  /** Where the new kernel was seen (repository URL, Koji tag, kernel.org). */
  source: string;
  firstFinding: Finding;
  findings: Finding[];
  checkedAt: string;
  /** Ready to paste into an issue or a mail. */
  title: string;
  text: string;
}

/**
 * The report of a break: JSON fields for machines, and a title and text for people naming the
 * kernel, the module and the first finding, with the command that reproduces it.
 */
export function breakReport(input: Omit<BreakReport, 'kind' | 'firstFinding' | 'title' | 'text' | 'checkedAt'> & { reproduce: string }): BreakReport {
  const errors = input.findings.filter((f) => f.severity === 'error');
  const first = errors[0] ?? input.findings[0]!;
  const what = input.package ?? input.variant;
  const modules = input.modules.length ? ` (${input.modules.join(', ')})` : '';
  const title = `${what} breaks on kernel ${input.newKernel}: ${first.code}`;
  const text = [
    `${what}${modules} does not build on kernel ${input.newKernel}, seen in ${input.source}.`,
    `It builds today against ${input.currentKernel} (${input.variantFile}).`,
    '',
    'First finding:',
    `    ${formatFinding(first).split('\n').join('\n    ')}`,
    ...(errors.length > 1 ? ['', `${errors.length - 1} more error(s):`, ...errors.slice(1, 11).map((f) => `- ${f.code}: ${f.message}`)] : []),
    '',
    'Reproduce:',
    `    ${input.reproduce}`,
    '',
  ].join('\n');
  const { reproduce: _r, ...rest } = input;
  return { kind: 'kplay-break', ...rest, firstFinding: first, checkedAt: new Date().toISOString(), title, text };
}
