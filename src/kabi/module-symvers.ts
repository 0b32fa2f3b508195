/** One exported symbol of a kernel build: a line of `Module.symvers`. */
export interface ExportedSymbol {
  crc: string;
  symbol: string;
  /** `vmlinux` or the module's path (`drivers/scsi/libsas/libsas`). */
  module: string;
  /** EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ... */
  export: string;
  /** Symbol namespace (6.x kernels), empty when none. */
  namespace: string;
}

/**
 * Read a kernel's `Module.symvers`: tab-separated `crc symbol module export [namespace]` lines
 * (the order of 5.x and later kernels). CRCs are normalised to lower case 0x + 8 hex digits.
 */
export function parseModuleSymvers(text: string): Map<string, ExportedSymbol> {
  const out = new Map<string, ExportedSymbol>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [crc, symbol, module = '', exp = '', namespace = ''] = line.split('\t');
    if (!crc || !symbol || !/^0x[0-9a-fA-F]+$/.test(crc)) continue;
    out.set(symbol, { crc: normaliseCrc(crc), symbol, module, export: exp, namespace: namespace.trim() });
  }
  return out;
}

/** `0x5b8239ca`: lower case, 8 digits. */
export function normaliseCrc(crc: string): string {
  return `0x${crc.replace(/^0x/i, '').toLowerCase().padStart(8, '0')}`;
}
