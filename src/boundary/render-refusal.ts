import type { FindingCode } from '../findings/finding.js';
/**
 * A value that cannot be rendered safely into its context (a spec line, a shell word inside the
 * spec, a config line, a file name). The boundary turns it into a located finding; it never
 * reaches a file.
 */
export class RenderRefusal extends Error {
  constructor(
    /** Stable finding code: E_SPEC_TEXT, E_SPEC_VALUE, E_SOURCE_NAME, E_CONFIG_VALUE. */
    readonly code: FindingCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'RenderRefusal';
  }
}
