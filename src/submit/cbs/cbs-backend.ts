import { Option, type Command } from 'commander';
import type { SubmitBackend } from '../submit-backend.js';
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
      .addOption(new Option('--skip-tag', 'CBS: build but do not tag the build into the destination tag'));
  },
  run: (ctx) => runCbsSubmit(ctx),
};

export default cbsBackend;
