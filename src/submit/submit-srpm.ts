import type { Targets } from '../model/types.js';
import { submitBackends } from './backends.js';
import type { SubmitBackend } from './submit-backend.js';

/** What a caller (the submit command, `kplay track`) hands to submitSrpm. */
export interface SubmitSrpmRequest {
  /** `copr` or `cbs`: the backend's flag. */
  service: string;
  srpmPath: string;
  variantPath?: string;
  variantName: string;
  targets?: Targets;
  /** Where the build/task record goes (the variant's `out/<name>/state`). */
  stateDir: string;
  dryRun?: boolean;
  /** undefined: wait when stdout is a terminal. */
  wait?: boolean;
  force?: boolean;
  json?: boolean;
  /** Backend options as `kplay submit` names them (camelCase), e.g. `{ chroot: [...], scratch: true }`. */
  options?: Record<string, unknown>;
}

export async function loadSubmitBackend(service: string): Promise<SubmitBackend> {
  for (const load of submitBackends) {
    const b = await load();
    if (b.flag === service) return b;
  }
  throw new Error(`no build service backend named ${service}`);
}

/**
 * Submit a built SRPM to Copr or CBS (or resume watching its recorded build) and return the exit
 * code, as `kplay submit --srpm` does: the library entry point for callers that are not the CLI.
 * Findings are printed on stderr; results on stdout.
 */
export async function submitSrpm(req: SubmitSrpmRequest): Promise<number> {
  const backend = await loadSubmitBackend(req.service);
  const options: Record<string, unknown> = { [backend.flag]: true, chroot: [], ...req.options };
  await backend.preflight?.({ targets: req.targets, options, dryRun: Boolean(req.dryRun) });
  return backend.run({
    srpmPath: req.srpmPath,
    variantPath: req.variantPath,
    variantName: req.variantName,
    targets: req.targets,
    stateDir: req.stateDir,
    dryRun: Boolean(req.dryRun),
    wait: req.wait,
    force: Boolean(req.force),
    json: Boolean(req.json),
    options,
  });
}
