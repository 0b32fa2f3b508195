import { Option, type Command } from 'commander';
import { submitStateDir } from '../submit/state-dir.js';
import { runCommand } from '../findings/report.js';

export function register(program: Command): void {
  program
    .command('cancel')
    .description('cancel the Copr build(s) and/or CBS task that kplay submit recorded for a variant')
    .argument('[variant]', 'variant file, e.g. variants/playground.yml')
    .option('--out <dir>', 'output folder of the variant (default out/<variant>)')
    .option('--state-dir <dir>', "folder holding the records (for kplay submit --srpm: the SRPM's folder or its --out)")
    .addOption(new Option('--copr', 'only the Copr build(s)').conflicts('cbs'))
    .addOption(new Option('--cbs', 'only the CBS task (runs `cbs cancel`, which logs in its own way)'))
    .option('--copr-config <path>', 'copr-cli config with the credentials (default ~/.config/copr)')
    .option('--koji-config <file>', 'koji config file passed to the koji CLI as -c (default: the one kplay submit recorded)')
    .option('--dry-run', 'say what would be canceled, cancel nothing', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ kplay cancel variants/playground.yml --dry-run\n  $ kplay cancel variants/playground.yml --copr',
    )
    .action(
      async (
        variant: string | undefined,
        opts: { out?: string; stateDir?: string; copr?: boolean; cbs?: boolean; coprConfig?: string; kojiConfig?: string; dryRun: boolean },
      ) => {
        await runCommand(async () => {
          const { cancelSubmission } = await import('../submit/submission-status.js');
          const stateDir = await submitStateDir(variant, opts);
          return cancelSubmission(stateDir, {
            ...(opts.copr ? { service: 'copr' as const } : opts.cbs ? { service: 'cbs' as const } : {}),
            ...(opts.coprConfig ? { coprConfig: opts.coprConfig } : {}),
            ...(opts.kojiConfig ? { kojiConfig: opts.kojiConfig } : {}),
            dryRun: opts.dryRun,
            say: (line) => void process.stdout.write(`${line}\n`),
          });
        });
      },
    );
}
