#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { EXIT_USAGE } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(here, '..', '..', 'package.json'), 'utf8')) as { version: string };

// One module per command; each exports `register(program)`.
const commandModules: Array<Promise<{ register(program: Command): void | Promise<void> }>> = [
  import('./compose-command.js'),
  import('./check-command.js'),
  import('./list-command.js'),
  import('./diff-command.js'),
  import('./feature-command.js'),
  import('./explain-command.js'),
  import('./srpm-command.js'),
  import('./submit-command.js'),
  import('./kconfig-command.js'),
  import('./patches-command.js'),
  import('./matrix-command.js'),
  import('./track-command.js'),
];

export async function main(argv: string[]): Promise<void> {
  const program = new Command('kplay')
    .description('Compose side-band kernel variants into RPM specs and configs, check them, and submit them to Copr or CBS.')
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const mod of await Promise.all(commandModules)) await mod.register(program);
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

await main(process.argv);
