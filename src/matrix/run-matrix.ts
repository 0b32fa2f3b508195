import path from 'node:path';
import { kernelOrgVariant } from '../bases/index.js';
import { composeVariant } from '../compose/compose-variant.js';
import { exitCodeForFindings } from '../findings/exit-code.js';
import type { Finding } from '../findings/finding.js';
import type { RpmArch } from '../model/arch.js';
import { loadVariant } from '../load/load-variant.js';
import { displayPath } from '../model/safe-path.js';
import type { Variant } from '../model/variant.js';
import type { ResolvedBase } from '../releases/resolve-base.js';
import { KPLAY_VERSION } from '../version.js';
import { BasePreparation } from './base-preparation.js';
import { classifyCell } from './classify-cell.js';
import { baseUnavailableFinding, notApplicable, uncheckedCell } from './column-applicability.js';
import { VARIANT_ROW, type MatrixCell, type MatrixReport, type MatrixVariant } from './matrix-report.js';

export interface MatrixOptions {
  /** Cells composed at once (default 2). */
  concurrency?: number;
  /** Repository root holding features/ (default: found from each variant). */
  root?: string;
  /** Overlay variants: a local dist-git checkout (or URL) instead of each variant's own (`--dist-git`). */
  distGit?: string;
}

/** One variant file on one base: what a matrix row runner needs. */
export interface MatrixJob {
  variantPath: string;
  variantName: string;
  base: ResolvedBase;
}

/** The plan of a matrix run: the loaded variants, the jobs (variant-major), and the shared per-base work. */
export interface MatrixPlan {
  variants: Array<{ path: string; name: string; variant?: Variant; loadFindings: Finding[] }>;
  bases: ResolvedBase[];
  jobs: MatrixJob[];
  preparation: BasePreparation;
  options: MatrixOptions;
}

/** Load every variant once (for names and arches) and lay out variants × bases. */
export async function planMatrix(
  variantPaths: readonly string[],
  bases: readonly ResolvedBase[],
  options: MatrixOptions = {},
): Promise<MatrixPlan> {
  const variants = [];
  for (const p of variantPaths) {
    const loaded = await loadVariant(p);
    const name = loaded.variant?.name ?? path.basename(p).replace(/\.ya?ml$/, '');
    variants.push({ path: p, name, ...(loaded.variant ? { variant: loaded.variant } : {}), loadFindings: loaded.findings });
  }
  const arches = new Set<RpmArch>();
  for (const v of variants) {
    const vanilla = v.variant && kernelOrgVariant(v.variant);
    if (!vanilla) continue;
    for (const a of vanilla.arches.list) if (vanilla.base.config[a]?.kind !== 'url') arches.add(a);
  }
  const preparation = new BasePreparation(() => [...arches]);
  const jobs = variants.flatMap((v) => bases.map((base) => ({ variantPath: v.path, variantName: v.name, base })));
  return { variants, bases: [...bases], jobs, preparation, options };
}

/** Compose and check one variant on one base; never throws (a crash becomes the cell's finding). */
export async function runMatrixJob(plan: MatrixPlan, job: MatrixJob): Promise<MatrixCell> {
  const loaded = plan.variants.find((v) => v.path === job.variantPath)?.variant;
  if (job.base.error) {
    const findings = [baseUnavailableFinding(job.base, displayPath(job.variantPath))];
    return classifyCell(
      job.variantName,
      job.base.spec,
      { findings, exitCode: exitCodeForFindings(findings), written: false, checks: {}, ...(loaded ? { variant: loaded } : {}) },
      0,
    );
  }
  const skip = notApplicable(loaded, job.base);
  if (skip) return uncheckedCell(job.variantName, job.base.spec, loaded?.features.map((f) => f.name) ?? [], skip);
  await plan.preparation.ready(job.base);
  const start = performance.now();
  try {
    const distribution = job.base.kind === 'distribution';
    const result = await composeVariant(job.variantPath, {
      write: false,
      kernelSource: job.base.kernelSource,
      ...(distribution
        ? {
            ...(job.base.versionRelease ? { kmodKernelVersion: job.base.versionRelease } : {}),
            ...(job.base.kernelDevel ? { kernelDevel: job.base.kernelDevel } : {}),
          }
        : { baseOverride: { version: job.base.version, source: job.base.source } }),
      ...(plan.options.root ? { root: plan.options.root } : {}),
      ...(plan.options.distGit ? { distGit: plan.options.distGit } : {}),
    });
    return classifyCell(job.variantName, job.base.spec, result, Math.round(performance.now() - start));
  } catch (err) {
    const findings: Finding[] = [
      {
        code: 'E_MATRIX_CELL',
        severity: 'error',
        message: `${job.variantName} on ${job.base.spec}: ${(err as Error)?.message ?? String(err)}`,
        where: { file: displayPath(job.variantPath), line: 0, col: 0 },
      },
    ];
    return classifyCell(
      job.variantName,
      job.base.spec,
      { findings, exitCode: exitCodeForFindings(findings), written: false, checks: {} },
      Math.round(performance.now() - start),
    );
  }
}

/** Put finished cells together into the report: rows per variant in a stable order, cells variant-major. */
export function assembleReport(plan: MatrixPlan, cells: MatrixCell[], totalMillis: number): MatrixReport {
  const variants: MatrixVariant[] = plan.variants.map((v) => {
    const declared = v.variant?.features.map((f) => f.name) ?? [];
    const seen = new Set<string>(declared);
    for (const c of cells) if (c.variant === v.name) for (const f of Object.keys(c.features)) if (f !== VARIANT_ROW) seen.add(f);
    const rows = [...seen];
    if (cells.some((c) => c.variant === v.name && c.features[VARIANT_ROW])) rows.push(VARIANT_ROW);
    return { name: v.name, file: displayPath(v.path), rows };
  });
  // a feature row every cell of the variant must show, even where that base did not report it
  for (const c of cells) {
    const v = variants.find((x) => x.name === c.variant)!;
    for (const row of v.rows)
      c.features[row] ??= {
        status: c.status === 'unchecked' || (c.exitCode === 2 && row !== VARIANT_ROW) ? 'unchecked' : 'ok',
        codes: [],
        findings: [],
      };
  }
  return {
    kplayVersion: KPLAY_VERSION,
    generatedAt: new Date().toISOString(),
    bases: plan.bases.map((b) => ({
      spec: b.spec,
      version: b.version,
      kernelSource: b.kernelSource ? displayPath(b.kernelSource) : '',
      url: b.source.url,
      ...(b.source.sha256 ? { sha256: b.source.sha256 } : {}),
      ...(b.kind ? { kind: b.kind } : {}),
      ...(b.error ? { error: b.error } : {}),
    })),
    variants,
    cells,
    timing: {
      totalMillis: Math.round(totalMillis),
      prepareMillis: { ...plan.preparation.millis },
      concurrency: plan.options.concurrency ?? 2,
    },
  };
}
