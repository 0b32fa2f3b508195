import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasErrors, UsageError } from '../findings/finding.js';
import { isRpmArch, RPM_ARCHES, type RpmArch } from '../model/arch.js';
import type { ConfigRequest } from '../model/types.js';
import { exitStatusForFindings } from '../findings/exit-code.js';
import { printFindings, printSummary, runCommand } from '../findings/report.js';
import { isDirectory } from '../fs/path-kind.js';
import type { ResolveAnswer } from '../kconfig/resolve-memo.js';
import { applyLegacyAlias, kernelSourceOption, legacyAliasOption, SOURCE_ALIAS } from './shared-options.js';

interface ResolveOptions {
  kernelSource?: string;
  source?: string;
  arch: string;
  config: string;
  fragment: string[];
  out?: string;
  cacheDir?: string;
  force: boolean;
  json: boolean;
  verify: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `kplay kconfig resolve`: the `make olddefconfig` equivalent, with explained losses. */
export function register(program: Command): void {
  const kconfig = program.command('kconfig').description("work with a kernel tree's Kconfig directly");
  kconfig
    .command('resolve')
    .description(
      'resolve a config (plus fragments) against a kernel tree exactly like make olddefconfig, explaining every fragment value that did not survive',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ kplay kconfig resolve --kernel-source /usr/src/linux-source-6.1.tar.xz --arch x86_64 --config defconfig --fragment features/wireguard/config --out /tmp/x86_64.config',
    )
    .addOption(kernelSourceOption('kernel source folder or tarball (.tar.xz/.tar.gz/...)'))
    .addOption(legacyAliasOption(SOURCE_ALIAS))
    .requiredOption('--arch <rpm-arch>', `target architecture (${RPM_ARCHES.join(', ')})`)
    .requiredOption('--config <file-or-target>', 'base .config, or a make target such as defconfig')
    .option('--fragment <file>', 'config fragment applied after the base (repeatable; later wins)', collect, [])
    .option('--out <file>', 'where to write the resolved .config (default: stdout)')
    .option('--cache-dir <dir>', 'cache folder (default $KPLAY_CACHE_DIR or ~/.cache/kplay)')
    .option('--force', 'write the config even when a fragment value cannot be met', false)
    .option('--json', 'print findings as JSON on stdout', false)
    .option(
      '--verify',
      "also run the kernel's own conf --olddefconfig (built from the tree's scripts/kconfig with gcc, flex and bison) and report any difference as an error",
      false,
    )
    .action(async (opts: ResolveOptions) => {
      await runCommand(async () => {
        if (!isRpmArch(opts.arch)) throw new UsageError(`unknown arch '${opts.arch}': use one of ${RPM_ARCHES.join(', ')}`);
        const arch: RpmArch = opts.arch;
        applyLegacyAlias(opts as unknown as Record<string, unknown>, SOURCE_ALIAS);
        const source = opts.kernelSource;
        if (!source)
          throw new UsageError('kconfig resolve needs the kernel: pass --kernel-source <tree-or-tarball> (or set KPLAY_KERNEL_SOURCE)');
        if (!existsSync(source)) throw new UsageError(`${source}: no such kernel tree or tarball`);
        for (const f of opts.fragment) if (!existsSync(f)) throw new UsageError(`${f}: no such fragment`);
        // the same question asked before (tarball source, same inputs, same engine): its stored
        // answer, without loading the engine (kconfig/resolve-memo.ts); --verify always runs conf
        const memoised = !opts.verify && !(await isDirectory(source));
        const { readResolveMemo, writeResolveMemo } = await import('../kconfig/resolve-memo.js');
        const memo = memoised ? await memoFile(source, opts, arch) : undefined;
        let answer = memo ? readResolveMemo(memo) : undefined;
        if (!answer) {
          answer = await resolveAnswer(source, opts, arch);
          // named by the tarball's subset: known now even when this run extracted it
          const file = memo ?? (memoised ? await memoFile(source, opts, arch) : undefined);
          if (file) writeResolveMemo(file, answer);
        }
        const findings = answer.findings;
        if (opts.json) process.stdout.write(`${JSON.stringify({ findings }, null, 2)}\n`);
        printFindings(findings);
        if (findings.length) printSummary(findings, 'kconfig resolve');
        if (!hasErrors(findings) || opts.force) {
          if (opts.out) await writeFile(opts.out, answer.configText, 'latin1');
          else if (!opts.json) process.stdout.write(answer.configText);
        } else if (opts.out) {
          process.stderr.write(`kconfig resolve: ${opts.out} not written (use --force to write it anyway)\n`);
        }
        // a difference from the kernel's own tool is a kplay bug: internal error
        if (findings.some((f) => f.code === 'E_KCONFIG_VERIFY')) return 3;
        return exitStatusForFindings(findings);
      });
    });
}

/** The memo file of this question when the tarball's subset is already extracted, else undefined. */
async function memoFile(source: string, opts: ResolveOptions, arch: RpmArch): Promise<string | undefined> {
  const { cachedSubsetFolder } = await import('../sources/kconfig-cache.js');
  const { defaultCacheDir } = await import('../kconfig/memoised-shell.js');
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const subset = await cachedSubsetFolder(path.resolve(source), cacheDir);
  if (!subset) return undefined;
  const { resolveMemoFile } = await import('../kconfig/resolve-memo.js');
  return resolveMemoFile(cacheDir, { subset, arch, config: opts.config, fragments: opts.fragment });
}

/** Load the tree and resolve (with `--verify`, also run the kernel's own conf). */
async function resolveAnswer(source: string, opts: ResolveOptions, arch: RpmArch): Promise<ResolveAnswer> {
  const { asUsageError, loadKconfigTree, readBaseConfig, requestsFromFragment, resolveConfig } = await import('../kconfig/index.js');
  let tree;
  try {
    tree = await loadKconfigTree({ source, arch, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
  } catch (err) {
    throw asUsageError(err);
  }
  let base;
  try {
    base = await readBaseConfig(tree, opts.config, arch);
  } catch {
    throw new UsageError(`${opts.config}: cannot read the base config (a file, or a target like defconfig)`);
  }
  const requests: ConfigRequest[] = [];
  for (const f of opts.fragment) {
    requests.push(...requestsFromFragment(await readFile(f, 'latin1'), f, { kind: 'feature', name: path.basename(f) }));
  }
  const resolved = resolveConfig(tree, { base: base.text, baseFile: base.file, requests });
  const findings = [...resolved.findings];
  if (opts.verify) {
    const { verifyResolved, ReferenceConfError } = await import('../kconfig/index.js');
    try {
      const v = await verifyResolved(tree, resolved, opts.cacheDir);
      findings.push(...v.findings);
      process.stderr.write(`kconfig resolve --verify: ${v.summary}\n`);
    } catch (err) {
      if (err instanceof ReferenceConfError) throw new UsageError(`--verify: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
      throw err;
    }
  }
  return { configText: resolved.configText, findings };
}
