import type { Finding } from '../../findings/finding.js';

/** One line of a dist-git `sources` file: a tarball kept in the lookaside cache. */
export interface LookasideEntry {
  file: string;
  algorithm: 'sha512' | 'sha256' | 'md5';
  digest: string;
  line: number;
}

const BSD_STYLE = /^(SHA512|SHA256|MD5) \(([^()/]+)\) = ([0-9a-f]+)$/;
// `<hex>  <file>` (sha512sum/md5sum output: AlmaLinux and RHEL imports, old Fedora md5 lines), the algorithm told by the length
const PLAIN_STYLE = /^([0-9a-f]+) +\*?([^/\s]+)$/;
const BY_LENGTH: Record<number, LookasideEntry['algorithm']> = { 128: 'sha512', 64: 'sha256', 32: 'md5' };
const LENGTHS = { sha512: 128, sha256: 64, md5: 32 } as const;

/**
 * Parse a dist-git `sources` file: `SHA512 (linux-6.17.tar.xz) = <hex>` lines, or `<hex>  <file>`
 * lines (sha512, sha256 or md5 by the digest's length). Bad lines are E_OVERLAY_SOURCES_LINE findings.
 */
export function parseSourcesFile(text: string, file: string): { entries: LookasideEntry[]; findings: Finding[] } {
  const entries: LookasideEntry[] = [];
  const findings: Finding[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const bsd = BSD_STYLE.exec(line);
    const old = bsd ? null : PLAIN_STYLE.exec(line);
    const algorithm = bsd ? (bsd[1]!.toLowerCase() as LookasideEntry['algorithm']) : (BY_LENGTH[old?.[1]?.length ?? 0] ?? 'md5');
    const name = bsd?.[2] ?? old?.[2];
    const digest = bsd?.[3] ?? old?.[1];
    if (!name || !digest || digest.length !== LENGTHS[algorithm] || name === '.' || name === '..') {
      findings.push({
        code: 'E_OVERLAY_SOURCES_LINE',
        severity: 'error',
        message: `cannot read this sources line: ${JSON.stringify(line.slice(0, 120))}`,
        where: { file, line: i + 1, col: 1 },
        hint: 'lines look like: SHA512 (linux-6.17.tar.xz) = <128 hex digits>, or <128 hex digits>  linux-6.17.tar.xz',
      });
      return;
    }
    entries.push({ file: name, algorithm, digest, line: i + 1 });
  });
  return { entries, findings };
}

/** The lookaside cache URL of an entry: `<base>/<package>/<file>/<algorithm>/<digest>/<file>`. */
export function lookasideUrl(lookasideBase: string, pkg: string, entry: LookasideEntry): string {
  const file = encodeURIComponent(entry.file);
  return `${lookasideBase.replace(/\/+$/, '')}/${encodeURIComponent(pkg)}/${file}/${entry.algorithm}/${entry.digest}/${file}`;
}
