import type { Finding } from '../findings/finding.js';
import type { KconfigTree } from './kconfig-tree.js';
import { defaultCacheDir } from './memoised-shell.js';
import { buildReferenceConf, configDifferences, ReferenceConfError, runReferenceConf } from './reference-conf.js';
import type { ResolvedConfig } from './resolve-config.js';

/** The .config text the engine read for a resolve: the base lines, then every request, in order. */
export function resolveInputText(resolved: ResolvedConfig): string {
  return resolved.sources.map((s) => `CONFIG_${s.name}=${s.raw}\n`).join('');
}

export interface VerifyResult {
  /** `E_KCONFIG_VERIFY` when the kernel's conf wrote a different .config (kplay is wrong there). */
  findings: Finding[];
  /** The kernel's own result (authoritative). */
  referenceText: string;
  /** One line for reports: `identical to the kernel's conf --olddefconfig` or what differed. */
  summary: string;
}

/**
 * Cross-check a resolve with the kernel's own `conf --olddefconfig`, built from the tree's
 * scripts/kconfig in a scratch folder (cached by source digest). A difference is an error finding
 * naming the first differing symbols. Throws `ReferenceConfError` when conf cannot be built or run.
 */
export async function verifyResolved(
  tree: KconfigTree,
  resolved: ResolvedConfig,
  cacheDir: string = defaultCacheDir(),
): Promise<VerifyResult> {
  const conf = await buildReferenceConf(tree.root, cacheDir);
  const referenceText = await runReferenceConf(conf, tree, { mode: 'olddefconfig', input: resolveInputText(resolved) });
  const strip = (t: string): string => t.split('\n').slice(4).join('\n');
  if (strip(referenceText) === strip(resolved.configText)) {
    return {
      findings: [],
      referenceText,
      summary: `identical to the kernel's own conf --olddefconfig (Linux ${tree.kernelVersion}, ${tree.srcarch})`,
    };
  }
  const diffs = configDifferences(referenceText, resolved.configText, 5);
  const list = diffs.map((d) => `${d.symbol} (conf: ${d.reference}; kplay: ${d.kplay})`).join(', ');
  const finding: Finding = {
    code: 'E_KCONFIG_VERIFY',
    severity: 'error',
    message: `kplay's resolved config differs from the kernel's own conf --olddefconfig (Linux ${tree.kernelVersion}, ${tree.srcarch}); first differing symbols: ${list}`,
    ...(tree.arch ? { arch: tree.arch } : {}),
    hint: `the kernel's result is what the build uses; this is a kplay bug (Kconfig dialect: ${tree.dialect.label}): please report it with the base config and fragments`,
  };
  return {
    findings: [finding],
    referenceText,
    summary: `differs from the kernel's own conf --olddefconfig: ${diffs.map((d) => d.symbol).join(', ')}`,
  };
}

export { ReferenceConfError };
