import type { Finding } from '../../findings/finding.js';
import { printFindings } from '../../findings/report.js';
import type { Targets } from '../../model/types.js';
import { submitSrpm } from '../submit-srpm.js';
import { listSubmitStates } from './submit-state.js';

/** One green matrix cell, with the SRPM built for it and its own record folder. */
export interface BatchCell {
  /** `variant × base`, as the matrix names the cell. */
  label: string;
  srpmPath: string;
  variantName: string;
  stateDir: string;
  targets?: Targets;
}

export interface BatchRequest {
  cells: BatchCell[];
  /** `kplay submit` options for Copr (`copr`, `chroot`, `coprConfig`, `timeout` ...). */
  options: Record<string, unknown>;
  dryRun: boolean;
  /** Watch every build to its end (the matrix's default when stdout is a terminal). */
  wait: boolean;
  say: (line: string) => void;
}

export interface BatchCellResult {
  label: string;
  buildId?: number;
  /** Exit code of its submission (0 ok, 1 build failed, 2 refused). */
  exit: number;
}

async function recordedBuildId(stateDir: string): Promise<number | undefined> {
  const states = await listSubmitStates(stateDir);
  return states.find((s) => s.state.buildId !== undefined)?.state.buildId;
}

/**
 * Send the cells to Copr as ONE batch, as copr-cli's `--with-build-id` does: the first cell is a
 * plain build, every other one joins its batch (`with_build_id`), so Copr's own builders take
 * them side by side. Then each build is watched (resumed from its record, so running the same
 * command again watches instead of submitting), and a failure is named by its cell.
 */
export async function submitCoprBatch(req: BatchRequest): Promise<{ exit: number; results: BatchCellResult[] }> {
  const results: BatchCellResult[] = [];
  let first: number | undefined;
  for (const cell of req.cells) {
    const options = { ...req.options, ...(first !== undefined ? { withBuildId: first } : {}) };
    if (req.dryRun && results.length) req.say(`cell ${cell.label}: would join the batch of the first cell's build (with_build_id)`);
    const exit = await submitSrpm({
      service: 'copr',
      srpmPath: cell.srpmPath,
      variantName: cell.variantName,
      stateDir: cell.stateDir,
      ...(cell.targets ? { targets: cell.targets } : {}),
      dryRun: req.dryRun,
      wait: false,
      options,
    });
    const buildId = req.dryRun ? undefined : await recordedBuildId(cell.stateDir);
    results.push({ label: cell.label, ...(buildId !== undefined ? { buildId } : {}), exit });
    if (buildId !== undefined)
      req.say(`cell ${cell.label}: Copr build ${buildId}${first !== undefined ? ` (batch of build ${first})` : ''}`);
    if (first === undefined && buildId !== undefined) first = buildId;
    if (first === undefined && !req.dryRun) {
      // without the first build there is no batch to join: stop before sending the others alone
      return { exit: Math.max(exit, 2), results };
    }
  }
  if (req.dryRun || !req.wait) return { exit: Math.max(0, ...results.map((r) => r.exit)), results };

  const failed: Finding[] = [];
  for (const r of results) {
    if (r.buildId === undefined) continue;
    const cell = req.cells.find((c) => c.label === r.label)!;
    req.say(`watching cell ${r.label}: Copr build ${r.buildId}`);
    r.exit = await submitSrpm({
      service: 'copr',
      srpmPath: cell.srpmPath,
      variantName: cell.variantName,
      stateDir: cell.stateDir,
      ...(cell.targets ? { targets: cell.targets } : {}),
      wait: true,
      options: { ...req.options },
    });
    if (r.exit !== 0) {
      failed.push({
        code: 'E_COPR_BUILD_FAILED',
        severity: 'error',
        message: `matrix cell ${r.label}: Copr build ${r.buildId} did not succeed`,
        hint: `kplay status --state-dir ${cell.stateDir} shows its chroots`,
      });
    }
  }
  if (failed.length) printFindings(failed);
  return { exit: Math.max(0, ...results.map((r) => r.exit)), results };
}
