import type { ShellRunner } from './macro-preprocessor.js';
import { ShellCommandRefused } from './shell-command-refused.js';

/**
 * The macro commands one parse of a tree issued, with their outputs, keyed with the tree's folder
 * replaced by a marker (the same command on a copy of the tree has the same key).
 */
export type RecordedShellCommands = Readonly<Record<string, string>>;

const SRCTREE_MARKER = '\u0000srctree\u0000';

function recordKey(command: string, root: string): string {
  return root ? command.split(root).join(SRCTREE_MARKER) : command;
}

/** The commands a parse of the tree at `root` issued (command → output) as a record that names no folder. */
export function recordShellCommands(issued: ReadonlyMap<string, string>, root: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [command, output] of issued) out[recordKey(command, root)] = output;
  return out;
}

/**
 * The shell for a tree changed by untrusted patches: it never spawns anything. A command the
 * unpatched tree's own parse issued (its compiler probes, with the copy's folder in place of the
 * tree's) gets the output that parse recorded; any other command throws ShellCommandRefused.
 */
export class RecordedShell implements ShellRunner {
  constructor(
    private readonly recorded: RecordedShellCommands,
    /** The folder of the copy being parsed (what `$(srctree)` expands to). */
    private readonly root: string,
  ) {}

  run(command: string): string {
    const key = recordKey(command, this.root);
    if (Object.prototype.hasOwnProperty.call(this.recorded, key)) return this.recorded[key]!;
    throw new ShellCommandRefused(command);
  }
}
