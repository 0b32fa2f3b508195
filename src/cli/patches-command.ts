import { Command, InvalidArgumentError } from 'commander';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { exitStatusForFindings } from '../findings/exit-code.js';
import { checkPatchesForSeries } from '../patches/check-patches-for-series.js';
import type { SeriesPatch } from '../patches/patch-types.js';
import { printFindings, printSummary } from '../findings/report.js';
import { runCommand } from '../findings/report.js';
import { applyLegacyAlias, kernelSourceOption, legacyAliasOption, SOURCE_ALIAS } from './shared-options.js';

/** The feature a patch file belongs to: `features/x/patches/0001.patch` → `x`; else its folder. */
export function featureNameForPatch(file: string): string {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(dir);
  return base === 'patches' ? path.basename(path.dirname(dir)) : base;
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel && !rel.startsWith('..') ? rel.split(path.sep).join('/') : file;
}

/**
 * The patch files of a folder, in order: its `series` file, else its *.patch / *.diff files by
 * name, else its `patches/` folder (a feature folder), else its sub-folders by name (a folder of
 * features).
 */
async function patchFilesIn(dir: string, depth = 0): Promise<string[]> {
  const series = await readFile(path.join(dir, 'series'), 'utf8').catch(() => undefined);
  if (series !== undefined) {
    return series
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean)
      .map((f) => path.join(dir, f));
  }
  const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const patches = names.filter((d) => d.isFile() && /\.(patch|diff)$/.test(d.name)).map((d) => path.join(dir, d.name));
  if (patches.length || depth >= 3) return patches;
  if (names.some((d) => d.isDirectory() && d.name === 'patches')) return patchFilesIn(path.join(dir, 'patches'), depth + 1);
  const out: string[] = [];
  for (const d of names) if (d.isDirectory()) out.push(...(await patchFilesIn(path.join(dir, d.name), depth + 1)));
  return out;
}

/** Patch files named on the command line, in order; folders are expanded by `patchFilesIn`. */
export async function seriesFromPaths(paths: readonly string[]): Promise<SeriesPatch[]> {
  const out: SeriesPatch[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new UsageError(`${p}: no such patch file or folder`);
    }
    const files = info.isDirectory() ? await patchFilesIn(p) : [p];
    for (const f of files) {
      const text = await readFile(f).catch(() => {
        throw new UsageError(`${f}: cannot read patch file`);
      });
      out.push({ feature: featureNameForPatch(f), file: displayPath(f), text });
    }
  }
  return out;
}

function fuzzOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3) throw new InvalidArgumentError('fuzz is a number of context lines from 0 to 3');
  return n;
}

export function register(program: Command): void {
  const patches = program.command('patches').description('check feature patch series');
  patches
    .command('check')
    .description(
      'parse a patch series, find overlapping changes between features, and apply it to a kernel source (folder or tarball) with git apply rules',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay patches check --kernel-source /usr/src/linux-source-6.1.tar.xz features/overlayfs features/wireguard\n  $ kplay patches check --fuzz 1 --json features/overlayfs/patches/*.patch',
    )
    .argument(
      '<patch...>',
      'patch files or folders, applied in the order given (a folder gives its `series` file order, its *.patch files, or the patches of the features in it)',
    )
    .addOption(kernelSourceOption('kernel source to apply the series to: an extracted tree or a source tarball'))
    .addOption(legacyAliasOption(SOURCE_ALIAS))
    .option(
      '--fuzz <n>',
      'apply with `patch -p1 -F<n>` rules (older specs) instead of git apply rules: up to n context lines at each end of a hunk may differ',
      fuzzOption,
      0,
    )
    .option(
      '--cache-dir <dir>',
      'where the files taken out of a source tarball are cached (default $KPLAY_CACHE_DIR, $XDG_CACHE_HOME/kplay or ~/.cache/kplay)',
    )
    .option('--no-cache', 'stream the tarball every time; cache nothing')
    .option('--json', 'print the per-patch results and findings as JSON on stdout', false)
    .action(
      async (
        paths: string[],
        opts: { kernelSource?: string; source?: string; fuzz: number; json: boolean; cache: boolean; cacheDir?: string },
      ) => {
        await runCommand(async () => {
          applyLegacyAlias(opts, SOURCE_ALIAS);
          const series = await seriesFromPaths(paths);
          if (series.length === 0) throw new UsageError('no patch files found');
          const cacheDir =
            opts.cache === false ? false : opts.cacheDir ? path.join(path.resolve(opts.cacheDir), 'tree-subsets') : undefined;
          const check = await checkPatchesForSeries(series, opts.kernelSource, { fuzz: opts.fuzz, cacheDir });
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({ source: check.source, fromCache: check.fromCache, results: check.results, findings: check.findings }, null, 2)}\n`,
            );
          } else {
            printFindings(check.findings);
          }
          const count = (s: string) => check.results.filter((r) => r.status === s).length;
          const what = opts.kernelSource
            ? `patches: ${series.length} checked against ${check.source}, ${count('applied')} applied, ${count('failed') + count('already-applied') + count('invalid')} not`
            : `patches: ${series.length} parsed (no --kernel-source: not applied)`;
          printSummary(check.findings, what);
          return exitStatusForFindings(check.findings);
        });
      },
    );
}
