import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { withStep } from '../progress/progress.js';
import { at, UsageError } from '../findings/finding.js';
import { MINIMAL_PATH, runSandboxed } from '../sandbox/run-sandboxed.js';

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

/** Wall clock of `rpmbuild -bs` (it copies the kernel tarball into the SRPM). */
const SRPM_TIMEOUT_MS = 30 * 60_000;

/** How many of rpmbuild's own lines a failure message shows. */
const SHOWN_ERROR_LINES = 20;

/**
 * Build a source RPM with `rpmbuild -bs` in a private, temporary `_topdir`, so nothing in
 * ~/rpmbuild is read or written, in the sandbox (no network, $HOME hidden, so no ~/.rpmmacros). The SRPM is written to a scratch folder inside `outDir` and
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
    const env: Record<string, string> = { LC_ALL: 'C' };
    if (opts.sourceDateEpoch !== undefined) env.SOURCE_DATE_EPOCH = String(opts.sourceDateEpoch);
    if (!findExecutable(rpmbuild)) throw rpmbuildFailure({ code: 'ENOENT' }, rpmbuild, opts.specFile);
    // rpm expands the spec's macros while it parses, `%(shell …)` included (an overlay's spec is the
    // dist-git's): in the sandbox, with the topdir and the scratch folder the only writable places
    const r = await withStep(`rpmbuild -bs ${path.basename(specFile)}`, () =>
      runSandboxed({
        argv: [rpmbuild, ...args],
        cwd: topdir,
        writable: [topdir, scratch],
        readOnly: [sourceDir, path.dirname(specFile), ...linkTargets(sourceDir), ...(path.isAbsolute(rpmbuild) ? [rpmbuild] : [])],
        env,
        timeoutMs: SRPM_TIMEOUT_MS,
      }),
    );
    if (r.exitCode !== 0) {
      throw rpmbuildFailure(
        {
          exitCode: r.exitCode ?? undefined,
          signal: r.timedOut ? `timed out after ${SRPM_TIMEOUT_MS / 1000} s` : r.signal,
          all: `${r.stderr}\n${r.stdout}`,
        },
        rpmbuild,
        opts.specFile,
      );
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
/**
 * Where the links of the sources folder point (a source placed as a symbolic link to kplay's
 * cache, which may lie under the $HOME the sandbox hides): bound read-only so rpmbuild reads them.
 */
function linkTargets(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isSymbolicLink()) continue;
    try {
      out.push(realpathSync(path.join(dir, e.name)));
    } catch {
      /* dangling: rpmbuild says which */
    }
  }
  return out;
}

interface RpmbuildFailure {
  code?: string;
  exitCode?: number;
  signal?: string;
  all?: string;
  stderr?: string;
}

/** The executable a command name runs (a path as given, else the first on PATH), or undefined. */
function findExecutable(cmd: string): string | undefined {
  const candidates = cmd.includes('/')
    ? [path.resolve(cmd)]
    : (process.env.PATH ?? MINIMAL_PATH)
        .split(':')
        .filter(Boolean)
        .map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function rpmbuildFailure(err: RpmbuildFailure, rpmbuild: string, specFile: string): UsageError {
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
