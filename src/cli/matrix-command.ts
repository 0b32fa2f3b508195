import { Option, type Command } from 'commander';
import { addCoprOptions } from '../submit/copr/copr-options.js';
import path from 'node:path';
import { findRepositoryRoot } from '../compose/find-root.js';
import { UsageError } from '../findings/finding.js';
import { failedColumn, resolveDistributionColumn, resolveListedDistributionColumn } from '../matrix/distribution-column.js';
import { runMatrixWithProgress } from '../matrix/run-matrix-with-progress.js';
import { writeMatrixReport } from '../matrix/write-matrix-report.js';
import { displayPath } from '../model/safe-path.js';
import { KernelOrg, resolveBase, type ResolvedBase } from '../releases/resolve-base.js';
import { runCommand } from '../findings/report.js';
import { distGitOption } from './shared-options.js';

/** Exit statuses of `kplay matrix` beyond the usual 0/1/2 (see docs/findings.md). */
export const MATRIX_EXIT = { nothingChecked: 5 } as const;

interface MatrixCliOptions {
  base: string[];
  out?: string;
  root?: string;
  concurrency: string;
  json: boolean;
  releasesUrl?: string;
  kernelCdn?: string;
  distGit?: string;
  submit?: boolean;
  copr?: string | boolean;
  sourcesDir?: string;
  prepCheck: boolean;
  dryRun?: boolean;
  wait?: boolean;
  [option: string]: unknown;
}

export function register(program: Command): void {
  const cmd = program
    .command('matrix')
    .description('compose and check every variant on every base release; write out/matrix/matrix.json and a static HTML grid')
    .argument('<variants...>', 'variant files, e.g. variants/*.yml')
    .requiredOption(
      '--base <release>',
      'a base: VERSION=TREE-OR-TARBALL, a version, latest-stable, longterm, mainline or a series like 6.12.x; for kmod and overlay variants a distribution kernel dist:VERSION-RELEASE=TREE[,KERNEL-DEVEL], or the newest one of a repository or Koji tag: repo:URL=TREE[,KERNEL-DEVEL], koji:HUB#TAG=TREE[,KERNEL-DEVEL] ({kernel} stands for its version-release) (repeat for more columns)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--out <dir>', 'output folder (default out/matrix under the repository root)')
    .option('--root <dir>', 'repository root holding features/ (default: found from the first variant)')
    .addOption(distGitOption())
    .option('--concurrency <n>', 'cells composed at once', '2')
    .option('--releases-url <url>', "kernel.org's release list (default $KPLAY_RELEASES_URL or https://www.kernel.org/releases.json)")
    .option('--kernel-cdn <url>', 'kernel tarball tree (default $KPLAY_KERNEL_CDN or https://cdn.kernel.org/pub/linux/kernel)')
    .option('--json', 'print the matrix report as JSON on stdout', false)
    .option(
      '--submit',
      "build the SRPM of every green cell on its base and send them to Copr as one batch (copr-cli's --with-build-id), each build watched; needs --copr",
    )
    .option('--sources-dir <dir>', "--submit: folder holding source tarballs already downloaded (verified against the variant's digests)")
    .option('--no-prep-check', "--submit: skip running each SRPM's own %prep before submitting (warned about)")
    .option('--dry-run', '--submit: build the SRPMs and print every request that would be made, send nothing')
    .addOption(new Option('--wait', '--submit: watch every build until it ends (default when stdout is a terminal)'))
    .addOption(new Option('--no-wait', '--submit: return after submitting'));
  // the Copr options of `kplay submit`, with the same names and meaning
  addCoprOptions(cmd);
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay matrix variants/*.yml --base 6.1.192=/usr/src/linux-source-6.1.tar.xz --base 6.12.117=/usr/src/linux-source-6.12.tar.xz\n  $ kplay matrix variants/*.yml --base latest-stable --base mainline\n  $ kplay matrix variants/*.yml --base 6.12.x --submit --copr owner/kernels --chroot fedora-rawhide-x86_64\n\nExit status: 0 every cell composed without errors, 1 some cell has errors, 2 unusable input,\n5 nothing was checked (every cell unchecked: a check was skipped everywhere, e.g. no kernel-devel).',
    )
    .action(async (variants: string[], opts: MatrixCliOptions) => {
      await runCommand(async () => {
        if (opts.submit && (opts.copr === undefined || opts.copr === false))
          throw new UsageError('--submit sends the green cells to Copr: give --copr [owner/project] (CBS chains are not offered yet)');
        if (!opts.submit && (opts.copr !== undefined || opts.dryRun || opts.sourcesDir))
          throw new UsageError('--copr, --dry-run and --sources-dir go with --submit');
        if (opts.submit && opts.json) throw new UsageError('--json and --submit cannot be used together (both print on stdout)');
        const concurrency = Number(opts.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
          throw new UsageError(`--concurrency ${opts.concurrency}: give a whole number from 1 to 64`);
        const specs = [...new Set(opts.base)];
        const kernelOrg = new KernelOrg({
          ...(opts.releasesUrl ? { releasesUrl: opts.releasesUrl } : {}),
          ...(opts.kernelCdn ? { cdn: opts.kernelCdn } : {}),
        });
        const bases: ResolvedBase[] = [];
        for (const spec of specs) {
          let base: ResolvedBase;
          try {
            base = spec.startsWith('dist:')
              ? await resolveDistributionColumn(spec)
              : /^(repo|koji):/.test(spec)
                ? await resolveListedDistributionColumn(spec)
                : await resolveBase(spec, kernelOrg);
          } catch (err) {
            if (!(err instanceof UsageError)) throw err;
            // one column that cannot be fetched (kernel.org offline) fails its cells; the others still run
            bases.push(failedColumn(spec, err.message));
            process.stderr.write(`base ${spec}: cannot be used: ${err.message}\n`);
            continue;
          }
          if (
            bases.some(
              (b) =>
                !b.error && b.version === base.version && b.kernelSource === base.kernelSource && b.versionRelease === base.versionRelease,
            )
          )
            continue; // latest-stable may be 6.12.x too
          bases.push(base);
          process.stderr.write(
            `base ${spec}: ${base.kind === 'distribution' ? `kernel ${base.versionRelease}` : `Linux ${base.version}`} from ${displayPath(base.kernelSource)}\n`,
          );
        }
        const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(variants[0]!);
        const terminal = Boolean(process.stderr.isTTY) && !opts.json;
        const report = await runMatrixWithProgress(variants, bases, {
          concurrency,
          ...(opts.root ? { root } : {}),
          ...(opts.distGit ? { distGit: opts.distGit } : {}),
          terminal,
          write: (line) => process.stderr.write(`${line}\n`),
        });
        const out = await writeMatrixReport(path.resolve(opts.out ?? path.join(root, 'out', 'matrix')), report);
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        const count = (s: string) => report.cells.filter((c) => c.status === s).length;
        process.stderr.write(
          `matrix: ${report.variants.length} variant(s) × ${report.bases.length} base(s): ${count('ok')} ok, ${count('warning')} with warnings, ${count('broken')} broken, ${count('unchecked')} unchecked in ${(report.timing.totalMillis / 1000).toFixed(1)} s\n` +
            `wrote ${displayPath(out.json)} and ${displayPath(out.html)}\n`,
        );
        let worst: number = Math.max(0, ...report.cells.map((c) => c.exitCode));
        if (opts.submit) {
          const { submitMatrixCells } = await import('../matrix/submit-matrix-cells.js');
          const submitted = await submitMatrixCells(report, {
            variantPaths: variants,
            bases,
            out: path.dirname(out.json),
            ...(opts.root ? { root } : {}),
            ...(opts.distGit ? { distGit: opts.distGit } : {}),
            ...(opts.sourcesDir ? { sourcesDir: path.resolve(opts.sourcesDir) } : {}),
            prepCheck: opts.prepCheck !== false,
            dryRun: Boolean(opts.dryRun),
            wait: opts.wait ?? Boolean(process.stdout.isTTY),
            copr: opts,
            say: (line) => process.stderr.write(`${line}\n`),
          });
          worst = Math.max(worst, submitted);
        }
        // green means checked: a matrix in which no cell was checked is not a pass
        if (worst === 0 && report.cells.length && report.cells.every((c) => c.status === 'unchecked')) {
          process.stderr.write(
            "matrix: nothing was checked (every cell is unchecked): give each column its tree and kernel-devel (see the cells' skipped checks)\n",
          );
          return MATRIX_EXIT.nothingChecked;
        }
        return worst;
      });
    });
}
