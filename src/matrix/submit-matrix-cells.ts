import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { printFindings } from '../findings/report.js';
import type { ResolvedBase } from '../releases/resolve-base.js';
import type { MatrixReport } from './matrix-report.js';

export interface MatrixSubmitOptions {
  /** The variant files in the order the matrix was given them (its report keeps that order). */
  variantPaths: string[];
  bases: ResolvedBase[];
  /** The matrix output folder: each cell's composed output and SRPM go under `<out>/submit/`. */
  out: string;
  root?: string;
  /** Overlay cells: the local dist-git the matrix composed them from (`--dist-git`). */
  distGit?: string;
  sourcesDir?: string;
  prepCheck: boolean;
  dryRun: boolean;
  wait: boolean;
  /** The Copr options of `kplay submit` (copr, chroot, coprConfig, enableNet, timeout ...). */
  copr: Record<string, unknown>;
  say: (line: string) => void;
}

/** A folder name for a cell: the base spec may hold `/`, `=` or `:` (dist:…, repo:URL=…). */
export function cellFolderName(variant: string, baseSpec: string): string {
  return `${variant}@${baseSpec.replace(/[^\w.+-]+/g, '_')}`.slice(0, 120);
}

/**
 * `kplay matrix --submit --copr`: build the SRPM of every green cell (status ok) on its own base,
 * then send them to Copr as one batch (submitCoprBatch) and watch each. Cells that are not green
 * are named and left out. Returns the exit code of the submissions (0 when nothing was green).
 */
export async function submitMatrixCells(report: MatrixReport, opts: MatrixSubmitOptions): Promise<number> {
  if (report.variants.length !== opts.variantPaths.length)
    throw new Error('internal: the matrix report does not list the variants it was given');
  const pathOf = new Map(report.variants.map((v, i) => [v.name, opts.variantPaths[i]!]));
  const baseOf = new Map(opts.bases.map((b) => [b.spec, b]));
  const green = report.cells.filter((c) => c.status === 'ok');
  for (const c of report.cells)
    if (c.status !== 'ok') opts.say(`cell ${c.variant} × ${c.base}: not submitted (${c.status}; only green cells are)`);
  if (!green.length) {
    opts.say('matrix --submit: no green cell to submit');
    return 0;
  }

  const { loadSubmitBackend } = await import('../submit/submit-srpm.js');
  const { loadVariantOrThrow } = await import('../load/load-variant.js');
  const { prepareSrpm } = await import('../rpm/prepare-srpm.js');
  const { submitCoprBatch } = await import('../submit/copr/copr-batch.js');
  const backend = await loadSubmitBackend('copr');
  const options: Record<string, unknown> = { chroot: [], ...opts.copr, copr: opts.copr.copr ?? true };

  // every check that needs no SRPM (project name, chroots, admin-only settings), before any build
  for (const variantPath of new Set(green.map((c) => pathOf.get(c.variant)!))) {
    const { variant } = await loadVariantOrThrow(variantPath);
    await backend.preflight?.({ targets: variant.targets, options, dryRun: opts.dryRun });
  }

  const cells = [];
  for (const c of green) {
    const variantPath = pathOf.get(c.variant)!;
    const base = baseOf.get(c.base);
    if (!base) throw new Error(`internal: no base ${c.base}`);
    const distribution = base.kind === 'distribution';
    // a local tarball column named like the release's own file is the SRPM's source as it is
    const localTarball = /^linux-\d[\w.+-]*\.tar\.(?:xz|gz|bz2)$/.test(path.basename(base.kernelSource));
    const sourcesDir = opts.sourcesDir ?? (!distribution && localTarball ? path.dirname(path.resolve(base.kernelSource)) : undefined);
    opts.say(`cell ${c.variant} × ${c.base}: building its SRPM`);
    let prepared;
    try {
      prepared = await prepareSrpm(variantPath, {
        out: path.join(opts.out, 'submit', cellFolderName(c.variant, c.base)),
        kernelSource: base.kernelSource,
        prepCheck: opts.prepCheck,
        ...(sourcesDir ? { sourcesDir } : {}),
        ...(opts.distGit ? { distGit: opts.distGit } : {}),
        on: {
          ...(opts.root ? { root: opts.root } : {}),
          ...(distribution
            ? {
                ...(base.versionRelease ? { kmodKernelVersion: base.versionRelease } : {}),
                ...(base.kernelDevel ? { kernelDevel: base.kernelDevel } : {}),
              }
            : { baseOverride: { version: base.version, source: base.source } }),
        },
      });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      // nothing is sent when one green cell cannot become an SRPM: the batch would be partial
      throw new UsageError(`matrix cell ${c.variant} × ${c.base}: its SRPM was not built: ${err.message}`, err.findings, err.exitCode);
    }
    printFindings(prepared.compose.findings.filter((f) => f.severity !== 'error'));
    cells.push({
      label: `${c.variant} × ${c.base}`,
      srpmPath: prepared.srpmPath,
      variantName: prepared.variantName,
      stateDir: prepared.outDir,
      ...(prepared.targets ? { targets: prepared.targets } : {}),
    });
  }
  const { exit } = await submitCoprBatch({ cells, options, dryRun: opts.dryRun, wait: opts.wait, say: opts.say });
  return exit;
}
