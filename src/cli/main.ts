#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from '../findings/report.js';
import { KPLAY_VERSION } from '../version.js';
import { reportInternalError } from '../findings/exit-code.js';

type CommandModule = { register(program: Command): void | Promise<void> };

/**
 * One module per command, each exporting `register(program)`. Only the module of the command
 * being run is loaded (the others pull in the whole pipeline), so `kplay check` does not pay for
 * the Copr client and `kplay --version` for nothing at all; help loads them all.
 */
const commandModules: Record<string, () => Promise<CommandModule>> = {
  compose: () => import('./compose-command.js'),
  check: () => import('./check-command.js'),
  list: () => import('./list-command.js'),
  diff: () => import('./diff-command.js'),
  feature: () => import('./feature-command.js'),
  explain: () => import('./explain-command.js'),
  srpm: () => import('./srpm-command.js'),
  submit: () => import('./submit-command.js'),
  status: () => import('./status-command.js'),
  cancel: () => import('./cancel-command.js'),
  promote: () => import('./promote-command.js'),
  kconfig: () => import('./kconfig-command.js'),
  patches: () => import('./patches-command.js'),
  matrix: () => import('./matrix-command.js'),
  track: () => import('./track-command.js'),
  keys: () => import('./keys-command.js'),
  sign: () => import('./sign-command.js'),
  kmm: () => import('./kmm-command.js'),
  kabi: () => import('./kabi-command.js'),
  try: () => import('./try-command.js'),
};

/** The command named on the command line (the first word that is not an option), if known. */
function chosenCommand(argv: string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && first in commandModules ? first : undefined;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('kplay')
    .description('Compose side-band kernel variants into RPM specs and configs, check them, and submit them to Copr or CBS.')
    .version(KPLAY_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nAnywhere on the command line:\n  --debug                            stack traces for internal errors\n  --unsandboxed-i-trust-the-inputs   run Makefiles, %prep and Kconfig $(shell) of the inputs without bubblewrap when it is missing\n                                     (they then see your files, $HOME, credentials and the network)',
    )
    .exitOverride();
  const chosen = chosenCommand(argv);
  const onlyVersion = argv.slice(2).length > 0 && argv.slice(2).every((a) => a === '-V' || a === '--version');
  const names = chosen ? [chosen] : onlyVersion ? [] : Object.keys(commandModules);
  for (const mod of await Promise.all(names.map((n) => commandModules[n]!()))) await mod.register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw err;
  }
}

// --debug anywhere: stack traces for internal errors (same as KPLAY_DEBUG=1)
const argv = process.argv.filter((a) => a !== '--debug');
if (argv.length !== process.argv.length) process.env.KPLAY_DEBUG ||= '1';
// --unsandboxed-i-trust-the-inputs anywhere: steps that run code from the inputs may run without
// bubblewrap when it is missing (src/sandbox/run-sandboxed.ts says what that gives away)
const UNSANDBOXED = '--unsandboxed-i-trust-the-inputs';
if (argv.includes(UNSANDBOXED)) {
  argv.splice(0, argv.length, ...argv.filter((a) => a !== UNSANDBOXED));
  (await import('../sandbox/run-sandboxed.js')).allowUnsandboxed(true);
}
try {
  await main(argv);
} catch (err) {
  // nothing a user writes may end here: every bad input is a finding (exit 2)
  process.exitCode = reportInternalError(err);
}
