import { UsageError, type SourceLocation } from '../findings/finding.js';

/**
 * A Kconfig file the engine cannot use: a syntax error, a missing source file or `$(error-if,...)`
 * (`E_KCONFIG_PARSE`), syntax/semantics of a newer Kconfig than the engine knows
 * (`E_KCONFIG_DIALECT`), or a macro command kplay does not run (`E_KCONFIG_SHELL`).
 */
export class KconfigError extends Error {
  readonly code: 'E_KCONFIG_PARSE' | 'E_KCONFIG_DIALECT' | 'E_KCONFIG_SHELL';
  constructor(
    message: string,
    readonly where: SourceLocation,
    code: 'E_KCONFIG_PARSE' | 'E_KCONFIG_DIALECT' | 'E_KCONFIG_SHELL' = 'E_KCONFIG_PARSE',
    readonly hint?: string,
  ) {
    const text = message.replace(/^E_KCONFIG_DIALECT: /, '');
    super(`${where.file}:${where.line}: ${text}`);
    this.name = 'KconfigError';
    this.code = code;
  }
}

/** A KconfigError as the usage error the CLI prints (its code and file:line as a finding); other errors unchanged. */
export function asUsageError(err: unknown): unknown {
  if (!(err instanceof KconfigError)) return err;
  return new UsageError(err.message, [
    {
      code: err.code,
      severity: 'error',
      message: err.message.replace(/^[^:]*:\d+: /, ''),
      where: err.where,
      ...(err.hint ? { hint: err.hint } : {}),
    },
  ]);
}
