/**
 * What a test run left in its TMPDIR, grouped by the name a test gave it: the mkdtemp suffix
 * (six letters and digits after a `-`, `.` or `_`, with a digit or capital, as a word like
 * `kernel` is not random) and runs of three or more digits (pids, timestamps) become `*`, so
 * `kplay-cert-Ab12Cd` and `kplay-cert-x9Y8z7` are both `kplay-cert-*`.
 */
export function leftoverPrefix(name: string): string {
  return name.replace(/([-._])(?=[a-z]*[A-Z0-9])[A-Za-z0-9]{6}$/, '$1*').replace(/\d{3,}/g, '*');
}

/** One line: `kplay-cert-* ×12, kplay-fixture-* ×7, …`, the largest group first, then by name. */
export function describeLeftovers(names: string[]): string {
  const count = new Map<string, number>();
  for (const n of names) count.set(leftoverPrefix(n), (count.get(leftoverPrefix(n)) ?? 0) + 1);
  return [...count]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([p, n]) => `${p} ×${n}`)
    .join(', ');
}
