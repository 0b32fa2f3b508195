import { exitCodeForFindings } from '../findings/exit-code.js';
import type { Finding } from '../findings/finding.js';
import type { ComposeResult } from './base-kind.js';

/**
 * The result a compose stage returns when it stops (or ends): the findings so far with their exit
 * code, what was checked, nothing written unless `extra` says so. `fixed` holds what every return
 * of that compose carries (the variant, the repository root).
 */
export function composeResultSoFar(
  findings: Finding[],
  checks: Record<string, string>,
  fixed: Partial<ComposeResult> = {},
): (extra?: Partial<ComposeResult>) => ComposeResult {
  return (extra = {}) => ({ findings, exitCode: exitCodeForFindings(findings), written: false, checks, ...fixed, ...extra });
}
