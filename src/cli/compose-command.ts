import type { Command } from 'commander';
import path from 'node:path';
import { exitStatusForFindings } from '../findings/exit-code.js';
import { UsageError } from '../findings/finding.js';
import { composeVariant } from '../compose/compose-variant.js';
import { displayPath } from '../model/safe-path.js';
import { printFindings, printSummary, runCommand } from '../findings/report.js';
import { distGitOption, kernelDevelOption, kernelSourceOption } from './shared-options.js';

export function register(program: Command): void {
  program
    .command('compose')
    .description('merge a variant and its features into an RPM spec, per-arch configs and a manifest, checking every conflict')
    .argument('<variant>', 'variant file, e.g. variants/playground.yml')
    .option('--out <dir>', 'output folder (default out/<variant> under the repository root)')
    .option('--root <dir>', 'repository root holding features/ (default: found from the variant)')
    .addOption(distGitOption())
    .addOption(
      kernelSourceOption(
        "the base kernel as a folder or source tarball: resolve every arch's config like make olddefconfig and check the patch series against it",
      ),
    )
    .addOption(
      kernelDevelOption(
        "kmod variants: the target kernel's kernel-devel (or linux-headers) tree or RPM: check the options in its .config, compile the modules and check their kABI against its Module.symvers",
      ),
    )
    .option(
      '--kernel-config <file>',
      "kmod variants: the target kernel's distribution config (plain, .xz or .gz) for the Kconfig check, when no --kernel-devel is at hand",
    )
    .option(
      '--kabi-symvers <file>',
      "kmod variants: another kernel's Module.symvers the built modules must also load into (repeatable)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--kabi-stablelist <file>', "kmod variants: the distribution's kABI stablelist (symbols outside it are warned about)")
    .option(
      '--verify-kconfig',
      "with --kernel-source: also run the kernel's own conf --olddefconfig for every arch and report any difference (needs gcc, flex, bison)",
      false,
    )
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExample:\n  $ kplay compose variants/playground.yml\n  $ kplay compose variants/playground.yml --json --out /tmp/pg\n  $ kplay compose variants/kmod-wireguard.yml --kernel-source linux-5.14.0-570.el9.tar.xz --kernel-devel /usr/src/kernels/5.14.0-570.el9.x86_64',
    )
    .action(
      async (
        variant: string,
        opts: {
          out?: string;
          root?: string;
          kernelSource?: string;
          kernelDevel?: string;
          kernelConfig?: string;
          kabiSymvers?: string[];
          kabiStablelist?: string;
          distGit?: string;
          json: boolean;
          verifyKconfig: boolean;
        },
      ) => {
        await runCommand(async () => {
          if (opts.verifyKconfig && !opts.kernelSource) {
            throw new UsageError(
              '--verify-kconfig needs --kernel-source: the kernel tree whose own conf cross-checks the resolved configs',
            );
          }
          const result = await composeVariant(variant, {
            out: opts.out,
            root: opts.root,
            distGit: opts.distGit,
            kernelSource: opts.kernelSource,
            verifyKconfig: opts.verifyKconfig,
            ...(opts.kernelDevel ? { kernelDevel: opts.kernelDevel } : {}),
            ...(opts.kernelConfig ? { kernelConfig: opts.kernelConfig } : {}),
            ...(opts.kabiSymvers ? { kabiSymvers: opts.kabiSymvers } : {}),
            ...(opts.kabiStablelist ? { kabiStablelist: opts.kabiStablelist } : {}),
          });
          if (opts.json) {
            const report = {
              variant: result.variant?.name,
              exitCode: exitStatusForFindings(result.findings),
              written: result.written,
              outDir: result.outDir && result.written ? displayPath(result.outDir) : undefined,
              features: result.resolved?.order.map((r) => r.feature.name),
              checks: result.checks,
              leftOut: result.resolved?.leftOut ?? [],
              findings: result.findings,
            };
            process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          } else {
            printFindings(result.findings);
            if (result.written) {
              const outDir = displayPath(result.outDir!);
              process.stdout.write(
                `composed ${result.variant!.name}: ${result.resolved!.order.length} feature(s), ${result.patches!.length} patch(es), arches ${result.variant!.arches.list.join(', ')}\n`,
              );
              process.stdout.write(
                `wrote ${path.join(outDir, result.specFile!)} and ${result.files!.size - 1} other file(s) to ${outDir}/\n`,
              );
              for (const l of result.resolved?.leftOut ?? [])
                process.stdout.write(
                  `left out: ${l.patch ?? `feature ${l.feature}`}${l.patch ? ` (feature ${l.feature})` : ''}: ${l.reason}\n`,
                );
              // every check that ran says so, and every skipped one says why
              for (const [check, state] of Object.entries(result.checks))
                process.stdout.write(
                  `${state.startsWith('skipped') ? 'skipped' : 'checked'} ${check}: ${state.replace(/^skipped: /, '')}\n`,
                );
            }
            printSummary(result.findings, result.written ? 'compose' : 'compose failed, nothing written');
          }
          return exitStatusForFindings(result.findings);
        });
      },
    );
}
