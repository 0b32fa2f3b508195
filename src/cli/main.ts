#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from '../findings/report.js';
import { KPLAY_VERSION } from '../version.js';
import { reportInternalError } from '../findings/exit-code.js';
import { commandModules } from './command-modules.js';
import { createProgressRenderer } from './progress-renderer.js';
import { setProgressSink } from '../progress/progress.js';

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
      '\nOn every command: --quiet (-q, or KPLAY_QUIET=1) prints no progress lines; --debug shows stack traces of internal errors.',
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

// --debug anywhere: stack traces for internal errors (same as KPLAY_DEBUG=1);
// --quiet / -q anywhere: no progress lines (findings and results are still printed)
const argv = process.argv.filter((a) => a !== '--debug' && a !== '--quiet' && a !== '-q');
if (process.argv.includes('--debug')) process.env.KPLAY_DEBUG ||= '1';
const quiet = process.argv.includes('--quiet') || process.argv.includes('-q') || Boolean(process.env.KPLAY_QUIET);
const progress = quiet ? undefined : createProgressRenderer({ stream: process.stderr, terminal: Boolean(process.stderr.isTTY) });
setProgressSink(progress);
try {
  await main(argv);
} catch (err) {
  // nothing a user writes may end here: every bad input is a finding (exit 2)
  process.exitCode = reportInternalError(err);
} finally {
  progress?.stop();
}
