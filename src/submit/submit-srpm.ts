import { Command, Option } from 'commander';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { printFindings } from '../findings/report.js';
import type { Targets } from '../model/types.js';
import { prepareSrpm } from '../rpm/prepare-srpm.js';
import { submitBackends } from './backends.js';
import type { SubmitBackend } from './submit-backend.js';

/** Every build service backend, loaded. */
export async function loadSubmitBackends(): Promise<SubmitBackend[]> {
  return Promise.all(submitBackends.map((load) => load()));
}

/** The one backend whose flag is among the options (`copr`, `cbs`); a usage error otherwise. */
export function chooseBackend(backends: readonly SubmitBackend[], options: Record<string, unknown>): SubmitBackend {
  const chosen = backends.filter((b) => options[b.flag] !== undefined && options[b.flag] !== false);
  if (chosen.length !== 1) {
    const flags = backends.map((b) => `--${b.flag}`).join(' or ') || '(no build service is available)';
    throw new UsageError(`choose exactly one build service: ${flags}`);
  }
  return chosen[0]!;
}

/**
 * Build the SRPM of a variant (or take `options.srpm`) and hand it to the backend: submit, or
 * resume watching a recorded build. `options` are those of `kplay submit` (srpm, out, sourcesDir,
 * kernelSource, dryRun, wait, force, json and the backend's own). Returns the exit status.
 */
export async function submitSrpm(backend: SubmitBackend, variant: string | undefined, options: Record<string, unknown>): Promise<number> {
  let srpmPath: string;
  let variantName: string;
  let targets: Targets | undefined;
  let stateDir: string;
  if (typeof options.srpm === 'string') {
    srpmPath = path.resolve(options.srpm);
    variantName = path.basename(srpmPath).replace(/\.src\.rpm$/, '');
    stateDir = typeof options.out === 'string' ? path.resolve(options.out) : path.dirname(srpmPath);
  } else if (variant) {
    const prepared = await prepareSrpm(variant, {
      out: options.out as string | undefined,
      sourcesDir: options.sourcesDir as string | undefined,
      kernelSource: options.kernelSource as string | undefined,
    });
    printFindings(prepared.compose.findings);
    ({ srpmPath, variantName, targets } = prepared);
    stateDir = prepared.outDir;
  } else {
    throw new UsageError('name a variant file (e.g. variants/playground.yml) or pass --srpm FILE');
  }
  return backend.run({
    srpmPath,
    variantPath: variant,
    variantName,
    targets,
    stateDir,
    dryRun: Boolean(options.dryRun),
    wait: options.wait as boolean | undefined,
    force: Boolean(options.force),
    json: Boolean(options.json),
    options,
  });
}

/** The options `kplay submit <variant> --<service> [args]` would parse, defaults included. */
export function submitOptions(backends: readonly SubmitBackend[], args: readonly string[]): Record<string, unknown> {
  const cmd = new Command('submit').exitOverride().allowExcessArguments(false);
  cmd.addOption(new Option('--wait')).addOption(new Option('--no-wait'));
  for (const b of backends) b.addOptions(cmd);
  cmd.parse([...args], { from: 'user' });
  return cmd.opts();
}

/** What `kplay track --submit` runs after a bump: `kplay submit <variant> --<service>`, in process. */
export async function submitVariant(variantPath: string, service: string): Promise<number> {
  const backends = await loadSubmitBackends();
  const options = submitOptions(backends, [`--${service}`]);
  return submitSrpm(chooseBackend(backends, options), variantPath, options);
}
