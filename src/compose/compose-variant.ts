import path from 'node:path';
import { baseKindOf } from '../bases/index.js';
import type { ComposeOptions, ComposeResult } from '../bases/base-kind.js';
import { UsageError, type Finding } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import { loadVariant } from '../load/load-variant.js';
import { displayPath } from '../model/safe-path.js';
import { findRepositoryRoot } from './find-root.js';
import { writeOutputAtomically } from './write-output.js';
import { composeResultSoFar } from '../bases/compose-result.js';
import { seriesOf } from './check-feature-patches.js';
import { foldPatchConsequences } from './fold-patch-consequences.js';

export type { ComposeOptions, ComposeResult } from '../bases/base-kind.js';

/**
 * load → (the base kind:) resolve → check → merge → render → write. Stops at the first stage whose
 * input is unusable; writes nothing when any error was found. What differs by base lives in src/bases/.
 */
export async function composeVariant(variantPath: string, opts: ComposeOptions = {}): Promise<ComposeResult> {
  const findings: Finding[] = [];
  const checks: Record<string, string> = {};
  const done = composeResultSoFar(findings, checks);

  if (opts.kernelSource && !(await pathExists(opts.kernelSource))) {
    throw new UsageError(`kernel source ${opts.kernelSource} does not exist (give an extracted tree or a tarball)`);
  }
  const loaded = await loadVariant(variantPath);
  findings.push(...loaded.findings);
  const variant =
    loaded.variant && opts.baseOverride ? baseKindOf(loaded.variant).withRelease(loaded.variant, opts.baseOverride) : loaded.variant;
  if (!variant) return done();
  const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(variantPath);
  const result = await baseKindOf(variant).compose(variant, root, opts, findings);
  if (result.resolved) {
    // a patch that did not apply explains the Kconfig findings about the symbols it adds: fold them under it
    const folded = foldPatchConsequences(result.findings, seriesOf(result.resolved));
    result.findings.splice(0, result.findings.length, ...folded);
  }
  if (result.exitCode === 0 && opts.write !== false && opts.render !== false && result.outDir && result.files) {
    try {
      await writeOutputAtomically(result.outDir, result.files, { variant: variant.name, root, variantFile: variant.file });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!code) throw err;
      throw new UsageError(`cannot write the output to ${displayPath(result.outDir)} (${code}): choose another folder with --out`);
    }
    result.written = true;
  }
  return result;
}
