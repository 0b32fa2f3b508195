import type { Command } from 'commander';
import { DEFAULT_KERNEL_BUILD_TIMEOUT, MAX_COPR_TIMEOUT } from './copr-plan.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The options `kplay submit` gets for Copr. */
export function addCoprOptions(cmd: Command): void {
  cmd
    .option('--copr [owner/project]', 'submit to Copr (default project: targets.copr of the variant)')
    .option('--chroot <name>', 'Copr chroot to build in, repeatable; replaces targets.copr.chroots', collect, [])
    .option('--copr-config <path>', 'copr-cli config holding login and token, or gssapi = true (default ~/.config/copr)')
    .option(
      '--enable-net [on|off]',
      "network access for this Copr build (copr-cli's build --enable-net); default targets.copr.enable_net, else off; the project is not edited",
    )
    .option(
      '--exclude-chroot <pattern>',
      'Copr: leave out chroots matching this fnmatch pattern, repeatable (copr-cli --exclude-chroot)',
      collect,
      [],
    )
    .option('--after-build-id <id>', 'Copr: start after the batch of this build has finished (copr-cli --after-build-id)')
    .option('--with-build-id <id>', 'Copr: build in the same batch as this build (copr-cli --with-build-id)')
    .option('--copr-admin', 'your Copr account is an admin: allow settings only admins may make (auto_prune: false)');
  // --background is koji's too (cbs-backend.ts); one option, read by the chosen service
  if (!cmd.options.some((o) => o.long === '--background')) {
    cmd.option(
      '--background',
      'a lower-priority build: Copr background job (copr-cli --background); CBS priority 5 (koji build --background)',
    );
  }
  // --timeout may already be there if another backend added it; both read the same value
  if (!cmd.options.some((o) => o.long === '--timeout')) {
    cmd.option(
      '--timeout <seconds>',
      `build timeout in seconds (Copr: default and maximum ${DEFAULT_KERNEL_BUILD_TIMEOUT} = 30 h, Copr's MAX_BUILD_TIMEOUT ${MAX_COPR_TIMEOUT})`,
    );
  }
}
