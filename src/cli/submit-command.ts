import { Command, Option } from 'commander';
import { runCommand } from '../findings/report.js';
import type { SubmitBackend } from '../submit/submit-backend.js';
import { chooseBackend, loadSubmitBackends, submitSrpm } from '../submit/submit-srpm.js';

export async function register(program: Command): Promise<void> {
  const backends: SubmitBackend[] = await loadSubmitBackends();
  const cmd = program
    .command('submit')
    .description('build the SRPM of a variant (or take --srpm) and submit it to Copr or CBS, then watch the build')
    .argument('[variant]', 'variant file, e.g. variants/playground.yml')
    .option('--srpm <file>', 'submit this SRPM instead of building one from the variant')
    .option('--out <dir>', 'output folder of the composed variant (default out/<variant>)')
    .option('--sources-dir <dir>', 'folder holding source tarballs already downloaded (verified against the variant\'s digests)')
    .option('--kernel-source <tree-or-tarball>', 'check the variant against this kernel before building the SRPM (see kplay compose)')
    .option('--dry-run', 'print every request that would be made, send nothing', false)
    .addOption(new Option('--wait', 'watch the build until it ends (default when stdout is a terminal)'))
    .addOption(new Option('--no-wait', 'return after submitting'))
    .option('--force', 'submit a new build even if a previous one is recorded for this output', false)
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText('after', '\nExamples:\n  $ kplay submit variants/playground.yml --copr --dry-run\n  $ kplay submit variants/playground.yml --copr owner/project --chroot fedora-rawhide-x86_64 --wait\n  $ kplay submit variants/playground.yml --cbs kmods9s-packages-main-el9s --scratch --wait');
  for (const b of backends) b.addOptions(cmd);
  cmd.action(async (variant: string | undefined, opts: Record<string, unknown>) => {
    await runCommand(async () => submitSrpm(chooseBackend(backends, opts), variant, opts));
  });
}
