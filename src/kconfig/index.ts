/**
 * The Kconfig engine's public API: load a tree, resolve configs like `make olddefconfig` with
 * findings for every request that did not survive, and explain any symbol's value.
 */
export {
  loadKconfigTree,
  dummyToolsPrefix,
  type LoadKconfigTreeOptions,
  type PatchedFiles,
  type KconfigToolchain,
} from './load-kconfig-tree.js';
export type { KconfigTree } from './kconfig-tree.js';
export { resolveConfig, configValueText, type ResolveConfigInput, type ResolvedConfig } from './resolve-config.js';
export { explainSymbol, formatExplanation, type SymbolExplanation } from './explain-symbol.js';
export { defconfigFiles, isDefconfigTarget } from './defconfig-path.js';
export { olddefconfig, assignmentsFromConfigText } from './olddefconfig.js';
export { requestsFromFragment, configValueFromRaw } from './fragment-requests.js';
export { readBaseConfig } from './read-base-config.js';
export { KconfigError, asUsageError } from './kconfig-error.js';
export { detectDialect, type KconfigDialect } from './dialect.js';
export { verifyResolved, ReferenceConfError, type VerifyResult } from './verify-config.js';
export { defaultCacheDir } from './memoised-shell.js';
export { listNewOptions, dependencyChain } from './new-options.js';
export { F_CONST } from './model.js';
