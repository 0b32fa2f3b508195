/**
 * A distribution's kABI stablelist (RHEL `kabi_stablelist_<arch>`, formerly "whitelist"): section
 * headers like `[rhel9_x86_64_stablelist]` followed by one symbol per (indented) line. Comments
 * (`#`) and blank lines are ignored. Returns the symbols.
 */
export function parseKabiStablelist(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('[')) continue;
    const sym = line.split(/\s+/)[0]!;
    if (/^[A-Za-z_][A-Za-z0-9_.$]*$/.test(sym)) out.add(sym);
  }
  return out;
}
