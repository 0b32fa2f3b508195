import { Option, type Command } from 'commander';
import type { SubmitBackend } from '../submit-backend.js';
import { resolveCbsRequest } from './resolve-cbs-request.js';
import { runCbsSubmit } from './run-cbs-submit.js';

/** `kplay submit --cbs [target]`: CentOS Community Build Service (Koji). */
export const cbsBackend: SubmitBackend = {
  flag: 'cbs',
  addOptions(cmd: Command) {
    cmd
      .addOption(new Option('--cbs [target]', 'submit to CBS (Koji); TARGET defaults to targets.cbs.target of the variant'))
      .addOption(new Option('--scratch', 'CBS: scratch build (built, not tagged)'))
      .addOption(new Option('--no-scratch', 'CBS: real build even when the variant asks for scratch'))
      .addOption(new Option('--koji-profile <name>', 'CBS: koji profile (default: targets.cbs.profile, else cbs)'))
      .addOption(
        new Option('--koji-config <file>', 'CBS: koji config file to read instead of ~/.koji/config{.d} (passed to the CLI as -c)'),
      )
      .addOption(
        new Option('--arch-override <arches>', "CBS: scratch builds only: build these arches (comma separated) instead of the tag's"),
      )
      .addOption(new Option('--fail-fast', 'CBS: stop the other arches as soon as one fails'))
      .addOption(new Option('--skip-tag', 'CBS: build but do not tag the build into the destination tag'))
      .addOption(new Option('--rebuild-srpm', 'CBS: scratch builds only: rebuild the SRPM in the buildroot (koji build --rebuild-srpm)'))
      .addOption(
        new Option('--no-rebuild-srpm', 'CBS: scratch builds only: build the uploaded SRPM as it is (koji build --no-rebuild-srpm)'),
      )
      .addOption(new Option('--wait-repo', 'CBS: wait for a current repo of the build tag first (koji build --wait-repo)'))
      .addOption(
        new Option(
          '--wait-build <nvr>',
          'CBS: wait until NVR is in the buildroot repo first, repeatable (koji build --wait-build)',
        ).argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]),
      )
      .addOption(new Option('--draft', 'CBS: make a draft build (koji build --draft; not with --scratch)'));
    if (!cmd.options.some((o) => o.long === '--background')) {
      cmd.addOption(
        new Option(
          '--background',
          'a lower-priority build: Copr background job (copr-cli --background); CBS priority 5 (koji build --background)',
        ),
      );
    }
  },
  // the flags koji would refuse are refused before the SRPM is built
  preflight: (ctx) => {
    resolveCbsRequest(ctx.options, ctx.targets?.cbs);
    return Promise.resolve();
  },
  run: (ctx) => runCbsSubmit(ctx),
};
