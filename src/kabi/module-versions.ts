import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';
import { normaliseCrc } from './module-symvers.js';

/** A symbol a built module imports, with the CRC it was built against (its `__versions` entry). */
export interface ImportedSymbol {
  symbol: string;
  crc: string;
}

/** Parse `modprobe --dump-modversions` output: `0x5b8239ca\t__x86_return_thunk` lines. */
export function parseModversionsDump(text: string): ImportedSymbol[] {
  const out: ImportedSymbol[] = [];
  for (const line of text.split('\n')) {
    const m = /^(0x[0-9a-fA-F]+)\s+(\S+)\s*$/.exec(line);
    if (m) out.push({ crc: normaliseCrc(m[1]!), symbol: m[2]! });
  }
  return out;
}

/**
 * The symbols a `.ko` needs, read with `modprobe --dump-modversions` (the Debian/Fedora `kmod`
 * package). A module built without CONFIG_MODVERSIONS has none.
 */
export async function readModuleVersions(ko: string): Promise<ImportedSymbol[]> {
  const modprobe = ['/usr/sbin/modprobe', '/sbin/modprobe', 'modprobe'];
  for (const cmd of modprobe) {
    try {
      const r = await execa(cmd, ['--dump-modversions', ko], { reject: false });
      if (r.exitCode === 0) return parseModversionsDump(r.stdout);
      throw new UsageError(`modprobe --dump-modversions ${ko} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
  }
  throw new UsageError('modprobe is not installed: the kABI check reads modules with modprobe --dump-modversions (Debian/Fedora package kmod)');
}
