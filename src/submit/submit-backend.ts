import type { Command } from 'commander';

/** What every build service backend (Copr, CBS) receives from `kplay submit`. */
export interface SubmitContext {
  /** The SRPM to submit (built from the variant, or given with --srpm). */
  srpmPath: string;
  /** Variant file, when the SRPM was built from one. */
  variantPath?: string;
  /** Variant name (package name suffix); from the variant or the SRPM's file name. */
  variantName: string;
  /** Targets block of the variant, if any (validated by the loader). */
  targets?: import('../model/types.js').Targets;
  /** Folder for state files (build ids, task ids) so a second run resumes watching. */
  stateDir: string;
  dryRun: boolean;
  /** undefined: wait when stdout is a terminal. */
  wait: boolean | undefined;
  force: boolean;
  json: boolean;
  /** Every parsed option of the submit command, including the backend's own. */
  options: Record<string, unknown>;
}

/** What a backend may check before the (long) SRPM build: no SRPM yet. */
export type PreflightContext = Pick<SubmitContext, 'targets' | 'options' | 'dryRun'>;

export interface SubmitBackend {
  /** The flag that selects this backend: `--copr [owner/project]` or `--cbs [target]`. */
  readonly flag: string;
  /** Add this backend's own options to `kplay submit`. */
  addOptions(cmd: Command): void;
  /** Checks that need no SRPM (names, the instance's lists), run before the SRPM is built. */
  preflight?(ctx: PreflightContext): Promise<void>;
  /** Submit (or resume watching) and return the exit code. */
  run(ctx: SubmitContext): Promise<number>;
}
