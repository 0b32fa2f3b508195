import type { Command } from 'commander';
import { displayPath } from '../model/safe-path.js';
import { prepareSrpm } from '../rpm/prepare-srpm.js';
import { printFindings, printSummary, runCommand } from '../findings/report.js';

export function register(program: Command): void {
  program
    .command('srpm')
    .description(
      'compose a variant, fetch and verify its sources (cached), check it against the kernel it carries, and build a reproducible SRPM with rpmbuild -bs',
    )
    .argument('<variant>', 'variant file, e.g. variants/playground.yml')
    .option('--out <dir>', 'output folder (default out/<variant> under the repository root)')
    .option('--sources-dir <dir>', "folder holding source tarballs already downloaded (verified against the variant's digests)")
    .option(
      '--kernel-source <tree-or-tarball>',
      'run the Kconfig and patch checks against this kernel (default: the base tarball the SRPM carries)',
    )
    .option('--no-check', 'skip the Kconfig and patch checks (warned about: the SRPM may not build what the variant asks)')
    .option('--no-prep-check', "skip running the SRPM's own %prep (rpmbuild -bp in the sandbox) before building it (warned about)")
    .option('--dist-git <dir-or-url>', "fedora / centos-stream bases: use this dist-git checkout instead of the variant's")
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay srpm variants/playground.yml --sources-dir ~/Downloads\n  $ kplay srpm variants/stream-plus.yml --json\n  $ kplay srpm variants/playground.yml --kernel-source /usr/src/linux-source-6.1.tar.xz',
    )
    .action(
      async (
        variant: string,
        opts: {
          out?: string;
          sourcesDir?: string;
          kernelSource?: string;
          distGit?: string;
          json: boolean;
          check: boolean;
          prepCheck: boolean;
        },
      ) => {
        await runCommand(async () => {
          const r = await prepareSrpm(variant, { ...opts, noCheck: opts.check === false, prepCheck: opts.prepCheck });
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({ srpm: displayPath(r.srpmPath), variant: r.variantName, findings: r.compose.findings }, null, 2)}\n`,
            );
          } else {
            printFindings(r.compose.findings);
            process.stdout.write(`wrote ${displayPath(r.srpmPath)}\n`);
            printSummary(r.compose.findings, 'srpm');
          }
          return 0;
        });
      },
    );
}
