#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from '../findings/report.js';
import { KPLAY_VERSION } from '../version.js';
import { reportInternalError } from '../findings/exit-code.js';
import { commandModules, registerForHelp } from './command-modules.js';
import { createProgressRenderer } from './progress-renderer.js';
import { setProgressSink } from '../progress/progress.js';

/**
 * The command named on the command line (the first word that is not an option), if known; for
 * `kplay help <command>`, that command.
 */
function chosenCommand(argv: string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return first !== undefined && first in commandModules ? first : undefined;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('kplay')
    .description('Compose side-band kernel variants into RPM specs and configs, check them, and submit them to Copr or CBS.')
    .version(KPLAY_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nAnywhere on the command line:\n  --quiet, -q                        no progress lines (also KPLAY_QUIET=1); findings and results are still printed\n  --debug                            stack traces for internal errors\n  --unsandboxed-i-trust-the-inputs   run Makefiles, %prep and Kconfig $(shell) of the inputs without bubblewrap when it is missing\n                                     (they then see your files, $HOME, credentials and the network)',
    )
    .exitOverride();
  const chosen = chosenCommand(argv);
  const onlyVersion = argv.slice(2).length > 0 && argv.slice(2).every((a) => a === '-V' || a === '--version');
  // only the chosen command's module is loaded; the top-level help lists summaries (command-modules.ts)
  if (chosen) await (await commandModules[chosen]!()).register(program);
  else if (!onlyVersion) await registerForHelp(program);
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

// --debug anywhere: stack traces for internal errors (same as KPLAY_DEBUG=1);
// --quiet / -q anywhere: no progress lines (findings and results are still printed)
const argv = process.argv.filter((a) => a !== '--debug' && a !== '--quiet' && a !== '-q');
if (process.argv.includes('--debug')) process.env.KPLAY_DEBUG ||= '1';
const quiet = process.argv.includes('--quiet') || process.argv.includes('-q') || Boolean(process.env.KPLAY_QUIET);
const progress = quiet ? undefined : createProgressRenderer({ stream: process.stderr, terminal: Boolean(process.stderr.isTTY) });
setProgressSink(progress);
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
} finally {
  progress?.stop();
}
