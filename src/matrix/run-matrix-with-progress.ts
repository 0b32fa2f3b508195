import { Listr } from 'listr2';
import type { MatrixCell, MatrixReport } from './matrix-report.js';
import { assembleReport, planMatrix, runMatrixJob, type MatrixOptions } from './run-matrix.js';
import type { ResolvedBase } from '../releases/resolve-base.js';

function cellLine(c: MatrixCell): string {
  const codes = [...new Set(Object.values(c.features).flatMap((f) => f.codes))];
  const left = Object.values(c.features).reduce((n, f) => n + (f.leftOut?.length ?? 0), 0);
  const leftText = left ? `, ${left} left out (patches for other kernels or arches)` : '';
  return `${c.variant} @ ${c.base}: ${c.status}${codes.length ? ` (${codes.join(', ')})` : ''}${leftText} in ${(c.millis / 1000).toFixed(1)} s`;
}

/**
 * The matrix (plan, one job per cell, the report) with listr2 rows on a terminal (one row per cell, at most `concurrency` running), and
 * one plain line per finished cell otherwise (`write`).
 */
export async function runMatrixWithProgress(
  variantPaths: readonly string[],
  bases: readonly ResolvedBase[],
  options: MatrixOptions & { terminal: boolean; write: (line: string) => void },
): Promise<MatrixReport> {
  const start = performance.now();
  const plan = await planMatrix(variantPaths, bases, options);
  const cells: MatrixCell[] = new Array<MatrixCell>(plan.jobs.length);
  const list = new Listr(
    plan.jobs.map((job, i) => ({
      title: `${job.variantName} @ ${job.base.spec}`,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        task.output = 'preparing the base (Kconfig trees)…';
        await plan.preparation.ready(job.base);
        task.output = 'composing and checking…';
        const cell = await runMatrixJob(plan, job);
        cells[i] = cell;
        task.title = cellLine(cell);
        if (!options.terminal) options.write(cellLine(cell));
        if (cell.status === 'broken') throw new Error(cellLine(cell));
      },
    })),
    {
      concurrent: Math.max(1, options.concurrency ?? 2),
      exitOnError: false,
      renderer: options.terminal ? 'default' : 'silent',
      rendererOptions: { collapseErrors: true, showErrorMessage: false },
    },
  );
  await list.run().catch(() => undefined); // broken cells are results, not failures of the run
  return assembleReport(plan, cells, performance.now() - start);
}
