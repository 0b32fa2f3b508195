import { UsageError } from '../findings/finding.js';
import type { Targets } from '../model/types.js';

export interface PreparedSrpm {
  srpmPath: string;
  variantName: string;
  targets?: Targets;
  /** The composed output folder (state files live here). */
  outDir: string;
}

/**
 * Compose a variant and build its SRPM. Wired to compose + rpmbuild by the integration step;
 * until then submitting needs --srpm.
 */
export async function prepareSrpm(variantPath: string, _opts: { out?: string }): Promise<PreparedSrpm> {
  throw new UsageError(`${variantPath}: building an SRPM from a variant is not wired yet; pass --srpm FILE`);
}
