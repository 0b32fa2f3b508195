import { codeInfo, EXIT_CODE_OF_CLASS } from './catalogue.js';
import type { Finding } from './finding.js';

/** kplay's exit statuses: the one place they are defined (the classes come from src/findings/catalogue.ts). */
export const EXIT_OK = EXIT_CODE_OF_CLASS.none;
/** The input is fine but does not work together (a conflict). */
export const EXIT_CONFLICT = EXIT_CODE_OF_CLASS.conflict;
/** The input (or the command line) is unusable. */
export const EXIT_USAGE = EXIT_CODE_OF_CLASS.input;
/** A bug in kplay: an unexpected exception. */
export const EXIT_INTERNAL = EXIT_CODE_OF_CLASS.internal;

/**
 * Errors that mean "the input is fine but the combination does not work" (exit 1): the codes of
 * exit class `conflict` in the catalogue. Every other error means the input itself is unusable (exit 2).
 */
export function isConflict(f: Finding): boolean {
  return codeInfo(f.code).exit === 'conflict';
}

/** 0: no errors; 1: only conflicts; 2: any unusable input. */
export function exitCodeForFindings(findings: readonly Finding[]): 0 | 1 | 2 {
  const errors = findings.filter((f) => f.severity === 'error');
  if (!errors.length) return 0;
  return errors.every(isConflict) ? 1 : 2;
}
