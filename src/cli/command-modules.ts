import type { Command } from 'commander';

export type CommandModule = { register(program: Command): void | Promise<void> };

/**
 * One module per command, each exporting `register(program)`. Only the module of the command
 * being run is loaded (the others pull in the whole pipeline), so `kplay check` does not pay for
 * the Copr client and `kplay --version` for nothing at all; help loads them all.
 */
export const commandModules: Record<string, () => Promise<CommandModule>> = {
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
  doctor: () => import('./doctor-command.js'),
  try: () => import('./try-command.js'),
};
