import { FINDING_CODES, type FindingCode, type Severity } from './catalogue.js';

export type { FindingCode, Severity } from './catalogue.js';

export interface SourceLocation {
  /** Path as the user would type it: relative to the working directory when possible. */
  file: string;
  /** 1-based; 0 when the location is the whole file. */
  line: number;
  /** 1-based; 0 when unknown. */
  col: number;
}

export interface RelatedLocation {
  message: string;
  where: SourceLocation;
}

/**
 * A Finding is every problem kplay can detect: bad input, conflicts, Kconfig losses, patch breaks.
 * Stages return findings instead of throwing; the CLI prints them like a compiler.
 */
export interface Finding {
  /** A code of the catalogue (src/findings/catalogue.ts): a code not listed there fails the typecheck. */
  code: FindingCode;
  severity: Severity;
  message: string;
  where?: SourceLocation;
  related?: RelatedLocation[];
  feature?: string;
  arch?: string;
  hint?: string;
}

/** Findings that make input unusable (exit 2) rather than merely conflicting (exit 1). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly findings: Finding[] = [],
    /** 2 (unusable input) unless the findings are conflicts (1). */
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A finding of a catalogued code, with the catalogue's severity unless given. */
export function finding(code: FindingCode, message: string, extra: Partial<Omit<Finding, 'code' | 'message'>> = {}): Finding {
  return { code, severity: FINDING_CODES[code].severity, message, ...extra };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function at(file: string, line = 0, col = 0): SourceLocation {
  return { file, line, col };
}
