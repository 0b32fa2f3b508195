/**
 * The release macros the distribution's build root defines for an overlay spec, read from the
 * spec's own `%define`/`%global` lines: `.elN` (RHEL, CentOS Stream and their SIGs) gives
 * `rhel N` (and `centos N` for centos-stream), `.fcN` gives `fedora N`. None when the spec does
 * not name its release (the host's rpm then decides, as before).
 */
export function distributionMacros(kind: string, specText: string): string[] {
  const defs = specText.split('\n').filter((l) => /^%(?:define|global)\s/.test(l));
  if (kind === 'fedora') {
    const fc = defs.map((l) => /\.fc(\d+)\b/.exec(l)?.[1]).find(Boolean);
    if (fc) return [`fedora ${fc}`];
  }
  const el = defs.map((l) => /\.el(\d+)/.exec(l)?.[1]).find(Boolean);
  if (!el || kind === 'fedora') return [];
  return kind === 'centos-stream' ? [`rhel ${el}`, `centos ${el}`] : [`rhel ${el}`];
}
