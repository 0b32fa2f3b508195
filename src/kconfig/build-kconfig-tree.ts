import type { RpmArch } from '../model/arch.js';
import { prepareMenuChoices } from './choice-menus.js';
import { detectDialect, type KconfigDialect } from './dialect.js';
import { KconfigEvaluator } from './evaluator.js';
import { finalizeMenus } from './finalize-menu.js';
import { parseKconfig, type KconfigFileReader } from './kconfig-parser.js';
import type { KconfigTree } from './kconfig-tree.js';
import { MacroPreprocessor, type ShellRunner } from './macro-preprocessor.js';

export interface BuildKconfigTreeInput {
  label: string;
  root: string;
  read: KconfigFileReader;
  shell: ShellRunner;
  env: Readonly<Record<string, string>>;
  arch?: RpmArch;
  srcarch: string;
  makeArch: string;
  kernelVersion: string;
  /** Top Kconfig file (default `Kconfig`). */
  top?: string;
  /** The tree's Kconfig dialect (default: detected from the tree's scripts/kconfig, else its version). */
  dialect?: KconfigDialect;
  /** How the tree's files are read later on (default `read`); see KconfigTree. */
  readSource?: (rel: string) => string | undefined;
  /** Make the tree's files real files under `root` (default: they already are). */
  ensureOnDisk?: () => void;
}

/** Parse and finalize a Kconfig tree from any file reader (folders, tarball subsets, test fixtures). */
export function buildKconfigTree(i: BuildKconfigTreeInput): KconfigTree {
  const dialect = i.dialect ?? detectDialect(i.read, i.kernelVersion);
  const pp = new MacroPreprocessor(i.env, i.shell);
  const parsed = parseKconfig(i.top ?? 'Kconfig', i.read, pp, dialect);
  finalizeMenus(parsed.root, parsed.symbols, parsed.modules, dialect);
  if (dialect.choices === 'menu') prepareMenuChoices(parsed.root, parsed.symbols);
  return {
    label: i.label,
    root: i.root,
    readSource: i.readSource ?? i.read,
    ensureOnDisk: i.ensureOnDisk ?? (() => {}),
    arch: i.arch,
    srcarch: i.srcarch,
    makeArch: i.makeArch,
    kernelVersion: i.kernelVersion,
    dialect,
    symbols: parsed.symbols,
    rootMenu: parsed.root,
    modules: parsed.modules,
    evaluator: new KconfigEvaluator(parsed.symbols, parsed.modules, dialect),
    files: parsed.files,
    warnings: parsed.warnings,
    macroMessages: pp.messages,
    env: i.env,
    spawnedCommands: 0,
  };
}
