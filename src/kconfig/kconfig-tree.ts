import type { RpmArch } from '../model/arch.js';
import { KconfigEvaluator } from './evaluator.js';
import type { MacroMessage } from './macro-preprocessor.js';
import type { KconfigDialect } from './dialect.js';
import type { KSymbol, MenuNode } from './model.js';
import type { RecordedShellCommands } from './recorded-shell.js';
import type { SymbolTable } from './symbol-table.js';

/** A parsed, finalized Kconfig tree for one architecture, ready to resolve configs against. */
export interface KconfigTree {
  /** Tree folder or tarball the user named. */
  readonly label: string;
  /**
   * Folder the Kconfig files were read from (the tarball cache for tarballs). For a tarball it
   * holds only the scripts until `ensureOnDisk()`: read tree files with `readSource`.
   */
  readonly root: string;
  /** A file of the tree as latin1 text (Kconfig files, defconfigs, scripts), or undefined. */
  readonly readSource: (rel: string) => string | undefined;
  /** Make every file of the tree a real file under `root` (for tools run in it: the kernel's conf). */
  readonly ensureOnDisk: () => void;
  readonly arch: RpmArch | undefined;
  readonly srcarch: string;
  readonly makeArch: string;
  readonly kernelVersion: string;
  /** Which upstream Kconfig behaviour this tree's own tool has (see dialect.ts). */
  readonly dialect: KconfigDialect;
  readonly symbols: SymbolTable;
  readonly rootMenu: MenuNode;
  readonly modules: KSymbol;
  readonly evaluator: KconfigEvaluator;
  readonly files: readonly string[];
  readonly warnings: readonly string[];
  readonly macroMessages: readonly MacroMessage[];
  /** Environment the macros saw. */
  readonly env: Readonly<Record<string, string>>;
  /** Shell commands really spawned while loading (0 when every answer came from the cache). */
  readonly spawnedCommands: number;
  /**
   * The macro commands this tree's parse issued, with their outputs (see recorded-shell.ts):
   * what a copy of the tree changed by patches may ask for. Absent on trees built in memory.
   */
  readonly shellCommands?: RecordedShellCommands;
}
