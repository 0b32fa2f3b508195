import { execa, type ExecaError } from 'execa';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { withStep } from '../progress/progress.js';
import { at, UsageError } from '../findings/finding.js';

export interface BuildSrpmOptions {
  /** The spec file to package. */
  specFile: string;
  /** Folder holding every Source/Patch file the spec names (rpm's `_sourcedir`). */
  sourceDir: string;
  /** Where the finished `.src.rpm` goes (created when missing). */
  outDir: string;
  /** Extra `--define` macros, e.g. `{ dist: '.fc41' }`. */
  defines?: Record<string, string>;
  /** The rpmbuild executable (tests point it at a missing or failing one). */
  rpmbuild?: string;
  /**
   * Build time to record (seconds since the epoch). With it the SRPM is reproducible: the same
   * spec and sources give the same bytes, so a resubmission check by digest recognises it.
   */
  sourceDateEpoch?: number;
}

/** How many of rpmbuild's own lines a failure message shows. */
const SHOWN_ERROR_LINES = 20;

/**
 * Build a source RPM with `rpmbuild -bs` in a private, temporary `_topdir`, so nothing in
 * ~/rpmbuild is read or written. The SRPM is written to a scratch folder inside `outDir` and
 * renamed into place, so a failed or killed run never leaves half an SRPM behind.
 * Returns the path of the SRPM.
 */
export async function buildSrpm(opts: BuildSrpmOptions): Promise<string> {
  const specFile = path.resolve(opts.specFile);
  const sourceDir = path.resolve(opts.sourceDir);
  const outDir = path.resolve(opts.outDir);
  const rpmbuild = opts.rpmbuild ?? 'rpmbuild';
  await mkdir(outDir, { recursive: true });
  // fixed paths inside outDir: rpmbuild records them, and a reproducible SRPM needs them stable
  const topdir = path.join(outDir, '.rpmbuild-topdir');
  const scratch = path.join(outDir, '.rpmbuild-srpm');
  await rm(topdir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
  await mkdir(topdir, { recursive: true });
  await mkdir(scratch, { recursive: true });
  const reproducible: Record<string, string> =
    opts.sourceDateEpoch !== undefined
      ? { use_source_date_epoch_as_buildtime: '1', clamp_mtime_to_source_date_epoch: '1', _buildhost: 'kplay' }
      : {};
  try {
    const defines: Record<string, string> = {
      _topdir: topdir,
      _sourcedir: sourceDir,
      _specdir: path.dirname(specFile),
      _builddir: path.join(topdir, 'BUILD'),
      _buildrootdir: path.join(topdir, 'BUILDROOT'),
      _rpmdir: path.join(topdir, 'RPMS'),
      _srcrpmdir: scratch,
      ...reproducible,
      ...opts.defines,
    };
    const args = ['-bs', '--nodeps'];
    for (const [name, value] of Object.entries(defines)) args.push('--define', `${name} ${value}`);
    args.push(specFile);
    try {
      const env: Record<string, string> = { LC_ALL: 'C' };
      if (opts.sourceDateEpoch !== undefined) env.SOURCE_DATE_EPOCH = String(opts.sourceDateEpoch);
      await withStep(`rpmbuild -bs ${path.basename(specFile)}`, () => execa(rpmbuild, args, { cwd: topdir, all: true, env }));
    } catch (err) {
      throw rpmbuildFailure(err as ExecaError, rpmbuild, opts.specFile);
    }
    const written = (await readdir(scratch)).filter((f) => f.endsWith('.src.rpm') || f.endsWith('.nosrc.rpm'));
    if (written.length !== 1) {
      throw new UsageError(`rpmbuild wrote ${written.length} source packages for ${opts.specFile}`, [
        {
          code: 'E_RPMBUILD_FAILED',
          severity: 'error',
          message: `rpmbuild -bs finished but wrote ${written.length} source packages, expected exactly one`,
          where: at(opts.specFile),
        },
      ]);
    }
    const finalPath = path.join(outDir, written[0]!);
    await rename(path.join(scratch, written[0]!), finalPath);
    return finalPath;
  } finally {
    await rm(topdir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Turn an execa failure into a finding: rpmbuild missing, or rpmbuild's own error lines. */
function rpmbuildFailure(err: ExecaError, rpmbuild: string, specFile: string): UsageError {
  if (err.code === 'ENOENT') {
    const message = `${rpmbuild} was not found; it is needed to build the source RPM`;
    return new UsageError(message, [
      {
        code: 'E_RPMBUILD_MISSING',
        severity: 'error',
        message,
        where: at(specFile),
        hint: 'install it: `apt-get install rpm` (Debian, Ubuntu) or `dnf install rpm-build` (Fedora, CentOS)',
      },
    ]);
  }
  const output = String(err.all ?? err.stderr ?? '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean);
  const errorLines = output.filter((l) => /^error:|^\s+(?:File not found|Bad file)|^line \d+:/i.test(l));
  const shown = (errorLines.length ? errorLines : output).slice(-SHOWN_ERROR_LINES);
  const status = err.exitCode !== undefined ? `exit status ${err.exitCode}` : (err.signal ?? 'failed');
  const message = `rpmbuild -bs failed (${status})${shown.length ? `:\n    ${shown.join('\n    ')}` : ''}`;
  return new UsageError(message, [
    {
      code: 'E_RPMBUILD_FAILED',
      severity: 'error',
      message,
      where: at(specFile, specLineOf(shown)),
    },
  ]);
}

/** rpmbuild names the spec line of a parse error as `line 12: ...`. */
function specLineOf(lines: readonly string[]): number {
  for (const l of lines) {
    const m = /\bline (\d+):/.exec(l);
    if (m) return Number(m[1]);
  }
  return 0;
}
