import type { Command } from 'commander';
import { submitStateDir } from '../submit/state-dir.js';
import { runCommand } from '../findings/report.js';

export function register(program: Command): void {
  program
    .command('promote')
    .description(
      'tag a real CBS build into a SIG tag (koji tag-build), or untag it; by default the build kplay submit --cbs recorded for the variant',
    )
    .argument('[variant]', 'variant file, e.g. variants/stream-plus.yml')
    .requiredOption('--cbs <tag>', 'the tag to add the build to, e.g. kmods9s-packages-main-testing')
    .option('--nvr <name-version-release>', 'the build to tag (default: the build the recorded task made, as the hub names it)')
    .option('--untag', 'remove the build from the tag instead (koji untag-build)', false)
    .option('--out <dir>', 'output folder of the variant (default out/<variant>)')
    .option('--state-dir <dir>', 'folder holding the CBS record (for kplay submit --srpm)')
    .option('--koji-profile <name>', 'koji profile (default: the recorded one, else cbs)')
    .option('--koji-config <file>', 'koji config file passed to the koji CLI as -c (default: the one kplay submit recorded)')
    .option('--dry-run', 'print the command that would run, run nothing', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay promote variants/stream-plus.yml --cbs kmods9s-packages-main-testing --dry-run\n  $ kplay promote --cbs kmods9s-packages-main-release --nvr kernel-stream-plus-6.12.0-1.el9s',
    )
    .action(
      async (
        variant: string | undefined,
        opts: {
          cbs: string;
          nvr?: string;
          untag: boolean;
          out?: string;
          stateDir?: string;
          kojiProfile?: string;
          kojiConfig?: string;
          dryRun: boolean;
        },
      ) => {
        await runCommand(async () => {
          const { promoteBuild } = await import('../submit/submission-status.js');
          const stateDir = opts.nvr && !variant && !opts.stateDir ? undefined : await submitStateDir(variant, opts);
          return promoteBuild({
            tag: opts.cbs,
            ...(opts.nvr ? { nvr: opts.nvr } : {}),
            ...(stateDir ? { stateDir } : {}),
            untag: opts.untag,
            ...(opts.kojiProfile ? { profile: opts.kojiProfile } : {}),
            ...(opts.kojiConfig ? { kojiConfig: opts.kojiConfig } : {}),
            dryRun: opts.dryRun,
            say: (line) => void process.stdout.write(`${line}\n`),
          });
        });
      },
    );
}
