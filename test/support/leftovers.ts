import { readdirSync } from 'node:fs';
import path from 'node:path';

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

/**
 * Folders of the repository that tests must not write to (they use os.tmpdir()). Allowed: the run
 * folder, coverage/ and out/test-artifacts (matrix-debian's screenshot for CI).
 */
const WATCHED = ['.', 'out', 'variants', 'features'];
const ALLOWED = new Set(['.test-tmp', 'coverage', 'out', 'out/test-artifacts']);

/** The names in the watched folders of the repository (`out/v`, `variants/x.yml`, ...). */
export function repositoryEntries(root: string): Set<string> {
  const names = new Set<string>();
  for (const dir of WATCHED) {
    let entries: string[];
    try {
      entries = readdirSync(path.join(root, dir));
    } catch {
      continue;
    }
    for (const n of entries) names.add(dir === '.' ? n : `${dir}/${n}`);
  }
  return names;
}

/** What appeared in the watched folders since `before`, sorted. */
export function writtenIntoRepository(before: Set<string>, after: Set<string>): string[] {
  return [...after].filter((n) => !before.has(n) && !ALLOWED.has(n)).sort();
}
