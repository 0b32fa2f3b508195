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

/** 0: no errors; 1: only conflicts; 2: any other error (unusable input; internal-class errors count as 2 here). */
export function exitCodeForFindings(findings: readonly Finding[]): 0 | 1 | 2 {
  const errors = findings.filter((f) => f.severity === 'error');
  if (!errors.length) return 0;
  return errors.every(isConflict) ? 1 : 2;
}

/** Like exitCodeForFindings, but 3 when an error of exit class `internal` (a bug in kplay) is among them. */
export function exitStatusForFindings(findings: readonly Finding[]): 0 | 1 | 2 | 3 {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.some((f) => codeInfo(f.code).exit === 'internal')) return EXIT_INTERNAL;
  return exitCodeForFindings(findings);
}

/**
 * What to print for an error that is not a finding (a bug in kplay): one line, the stack only
 * with KPLAY_DEBUG=1 (or --debug), and exit status 3, so 2 always means the input.
 */
export function reportInternalError(err: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): 3 {
  const e = err as Error;
  write(`kplay: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.KPLAY_DEBUG) write(`${e?.stack ?? ''}\n`);
  else
    write(
      'kplay: this is a bug in kplay, not in your input; run again with KPLAY_DEBUG=1 (or --debug) for details, and please report it\n',
    );
  return EXIT_INTERNAL;
}
