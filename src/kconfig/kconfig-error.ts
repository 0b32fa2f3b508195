import type { SourceLocation } from '../findings/finding.js';

/** A Kconfig file the engine cannot use (syntax error, missing source file, $(error-if,...)). */
export class KconfigError extends Error {
  constructor(
    message: string,
    readonly where: SourceLocation,
  ) {
    super(`${where.file}:${where.line}: ${message}`);
    this.name = 'KconfigError';
  }
}
