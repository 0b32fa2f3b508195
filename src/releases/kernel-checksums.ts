/**
 * kernel.org's checksum list (`sha256sums.asc`): a PGP clear-signed text whose lines are
 * `<sha256>  <file name>`. Returns file name → sha256 for the signed body only (the armour
 * header and the signature block are skipped). The signature itself is not verified here.
 */
export function parseChecksumList(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  let inSignature = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('-----BEGIN PGP SIGNATURE')) inSignature = true;
    if (line.startsWith('-----END PGP SIGNATURE')) inSignature = false;
    if (inSignature) continue;
    const m = /^([0-9a-fA-F]{64})\s+\*?(\S+)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!.toLowerCase());
  }
  return sums;
}
