import type { RpmArch } from '../model/arch.js';
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
}

/** Parse and finalize a Kconfig tree from any file reader (folders, tarball subsets, test fixtures). */
export function buildKconfigTree(i: BuildKconfigTreeInput): KconfigTree {
  const pp = new MacroPreprocessor(i.env, i.shell);
  const parsed = parseKconfig(i.top ?? 'Kconfig', i.read, pp);
  finalizeMenus(parsed.root, parsed.symbols, parsed.modules);
  return {
    label: i.label,
    root: i.root,
    arch: i.arch,
    srcarch: i.srcarch,
    makeArch: i.makeArch,
    kernelVersion: i.kernelVersion,
    symbols: parsed.symbols,
    rootMenu: parsed.root,
    modules: parsed.modules,
    evaluator: new KconfigEvaluator(parsed.symbols, parsed.modules),
    files: parsed.files,
    warnings: parsed.warnings,
    macroMessages: pp.messages,
    env: i.env,
    spawnedCommands: 0,
  };
}
