import type { Finding } from './finding.js';

/**
 * Errors that mean "the input is fine but the combination does not work" (exit 1). Every other
 * error means the input itself is unusable (exit 2): syntax, schema, missing files, escapes.
 */
const CONFLICT_CODES = new Set([
  'E_VALUE_CONFLICT',
  'E_FEATURE_CONFLICT',
  'E_VERSION_RANGE',
  'E_PATCH_OVERLAP',
  'E_PATCH_APPLY',
  'E_PATCH_ALREADY_APPLIED',
  // kmods: the variant is fine, the target kernel does not take it
  'E_KMOD_FOLDER_MISSING',
  'E_KMOD_BUILTIN_REQUEST',
  'E_KMOD_BUILD',
  'E_KABI_SYMBOL_MISSING',
  'E_KABI_CRC_CHANGED',
]);

export function isConflict(f: Finding): boolean {
  return CONFLICT_CODES.has(f.code) || f.code.startsWith('E_KCONFIG_');
}

/** 0: no errors; 1: only conflicts; 2: any unusable input. */
export function exitCodeForFindings(findings: readonly Finding[]): 0 | 1 | 2 {
  const errors = findings.filter((f) => f.severity === 'error');
  if (!errors.length) return 0;
  return errors.every(isConflict) ? 1 : 2;
}

/** Exit statuses: 0 ok, 1 the input is fine but does not work together, 2 unusable input or usage, 3 a bug in kplay. */
export const EXIT_OK = 0;
export const EXIT_CONFLICT = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERNAL = 3;

/**
 * What to print for an error that is not a finding (a bug in kplay): one line, the stack only
 * with KPLAY_DEBUG=1 (or --debug), and exit status 3, so 2 always means the input.
 */
export function reportInternalError(err: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): 3 {
  const e = err as Error;
  write(`kplay: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.KPLAY_DEBUG) write(`${e?.stack ?? ''}\n`);
  else write('kplay: this is a bug in kplay, not in your input; run again with KPLAY_DEBUG=1 (or --debug) for details, and please report it\n');
  return EXIT_INTERNAL;
}
