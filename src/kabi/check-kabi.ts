import type { Finding, SourceLocation } from '../findings/finding.js';
import type { ExportedSymbol } from './module-symvers.js';
import type { ImportedSymbol } from './module-versions.js';

export interface KabiCheckInput {
  /** Module file name for messages (`wireguard.ko`). */
  module: string;
  needs: readonly ImportedSymbol[];
  /** The target kernel's exports (its Module.symvers) and where they came from. */
  exports: ReadonlyMap<string, ExportedSymbol>;
  exportsLabel: string;
  /** The distribution's kABI stablelist, when given. */
  stablelist?: ReadonlySet<string>;
  stablelistLabel?: string;
  where?: SourceLocation;
  feature?: string;
}

/**
 * The loader's own version stamp: every module built with MODVERSIONS imports it, and the loader
 * compares its CRC before any other (kernel/module/version.c, check_modstruct_version, 6.1 and
 * 6.12), so a changed CRC refuses the module. vmlinux exports it, so a real Module.symvers has it;
 * a partial one (only some modules' exports) may not, and then it cannot be checked.
 */
const LOADER_SYMBOL = 'module_layout';

/**
 * Compare what a built module needs with what a kernel exports: a symbol the kernel does not
 * export (E_KABI_SYMBOL_MISSING) or exports with another CRC (E_KABI_CRC_CHANGED: the module would
 * be refused, "disagrees about version of symbol"), one finding per symbol; with a stablelist,
 * symbols outside it (W_KABI_NOT_STABLELISTED: the next kernel may change them without notice).
 */
export function checkKabi(input: KabiCheckInput): Finding[] {
  const findings: Finding[] = [];
  const base = { ...(input.where ? { where: input.where } : {}), ...(input.feature ? { feature: input.feature } : {}) };
  const unlisted: string[] = [];
  for (const need of input.needs) {
    const have = input.exports.get(need.symbol);
    if (need.symbol === LOADER_SYMBOL) {
      if (have && have.crc !== need.crc)
        findings.push({
          ...base,
          code: 'E_KABI_CRC_CHANGED',
          severity: 'error',
          message: `${input.module} was built against ${need.symbol} ${need.crc}, but ${input.exportsLabel} exports it as ${have.crc} (${have.module})`,
          hint: "module_layout is the module loader's own version stamp (the layout of struct module): this kernel refuses every module built against the old kernel-devel; rebuild against this one",
        });
      continue;
    }
    if (!have) {
      findings.push({
        ...base,
        code: 'E_KABI_SYMBOL_MISSING',
        severity: 'error',
        message: `${input.module} needs ${need.symbol}, which ${input.exportsLabel} does not export`,
        hint: 'the symbol was removed or renamed in this kernel: the module source needs a patch for it',
      });
    } else if (have.crc !== need.crc) {
      findings.push({
        ...base,
        code: 'E_KABI_CRC_CHANGED',
        severity: 'error',
        message: `${input.module} was built against ${need.symbol} ${need.crc}, but ${input.exportsLabel} exports it as ${have.crc} (${have.module})`,
        hint: 'the kernel changed this symbol\'s ABI: rebuild the module against this kernel-devel (the module as built would be refused: "disagrees about version of symbol")',
      });
    }
    if (input.stablelist && !input.stablelist.has(need.symbol)) unlisted.push(need.symbol);
  }
  if (unlisted.length) {
    findings.push({
      ...base,
      code: 'W_KABI_NOT_STABLELISTED',
      severity: 'warning',
      message: `${input.module} uses ${unlisted.length} symbol(s) outside ${input.stablelistLabel ?? 'the kABI stablelist'}: ${unlisted.slice(0, 8).join(', ')}${unlisted.length > 8 ? ', …' : ''}`,
      hint: 'these may change in any kernel update: expect to rebuild for each one',
    });
  }
  return findings;
}
