import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { findRepositoryRoot } from '../compose/find-root.js';
import { exitStatusForFindings } from '../findings/exit-code.js';
import { checkRepository } from '../lint/check-repository.js';
import { printFindings, printSummary, runCommand } from '../findings/report.js';
import { kernelSourceOption } from './shared-options.js';

export function register(program: Command): void {
  program
    .command('check')
    .description('validate feature folders and variants: schemas, fragment syntax, series, READMEs, names, and that every variant composes')
    .argument('[paths...]', 'feature folders or variant files to check (default: the whole repository)')
    .option('--root <dir>', 'repository root holding features/ and variants/ (default: found from the working directory)')
    .addOption(kernelSourceOption('also run the Kconfig and patch checks of every variant against this kernel tree or tarball'))
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay check\n  $ kplay check features/wireguard variants/playground.yml --json\n  $ kplay check variants/playground.yml --kernel-source /usr/src/linux-source-6.1.tar.xz',
    )
    .action(async (paths: string[], opts: { root?: string; kernelSource?: string; json: boolean }) => {
      await runCommand(async () => {
        // a path that is not there would otherwise check nothing and pass
        for (const p of paths) if (!existsSync(p)) throw new UsageError(`${p} does not exist (give feature folders or variant files)`);
        const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(path.resolve(paths[0] ?? '.', 'x'));
        const report = await checkRepository(root, paths, opts.kernelSource ? { kernelSource: path.resolve(opts.kernelSource) } : {});
        const exitCode = exitStatusForFindings(report.findings);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...report, exitCode }, null, 2)}\n`);
        } else {
          printFindings(report.findings);
          printSummary(report.findings, `checked ${report.features} feature(s) and ${report.variants} variant(s)`);
        }
        return exitCode;
      });
    });
}
