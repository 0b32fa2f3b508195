import { loadUserValues, type LoadReport, type UserAssignment } from './apply-user-values.js';
import { parseConfigFile } from './config-file.js';
import type { KconfigTree } from './kconfig-tree.js';
import type { KSymbol } from './model.js';
import { writeConfig } from './write-config.js';

export interface OlddefconfigResult {
  /** The full .config text, heading included. */
  configText: string;
  load: LoadReport & { changed: boolean };
  /** Every symbol written to the .config, in order, with its final value on `curr`. */
  written: KSymbol[];
}

/** Assignments of a .config or fragment text, numbered by line. */
export function assignmentsFromConfigText(text: string, firstSource = 0, opts: { strictNotSet?: boolean } = {}): UserAssignment[] {
  return parseConfigFile(text, opts).assignments.map((a, i) => ({ name: a.name, raw: a.raw, source: firstSource + i }));
}

/**
 * What `make olddefconfig` does: read the values (a .config, then fragments, later lines winning),
 * settle every symbol, and write the resolved .config. The tree's evaluator keeps the resulting
 * state for inspection until the next call.
 */
export function olddefconfig(tree: KconfigTree, assignments: readonly UserAssignment[]): OlddefconfigResult {
  const ev = tree.evaluator;
  ev.reset();
  const load = loadUserValues(ev, assignments);
  if (!load.changed) ev.clearAllValid();
  const written: KSymbol[] = [];
  const configText = writeConfig(ev, tree.rootMenu, written);
  return { configText, load, written };
}
