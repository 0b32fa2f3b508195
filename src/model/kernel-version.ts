/**
 * Kernel release versions as distributions write them, compared numerically:
 * `6.1`, `6.1.12`, `6.12-rc3` (before 6.12), `5.14.0-503.el9` (a distribution build of 5.14.0).
 */
export interface KernelVersion {
  text: string;
  /** major, minor, patch (0 when absent). */
  numbers: [number, number, number];
  /** Release candidate number; undefined for a release. */
  rc?: number;
  /** Distribution build numbers after the upstream version (`503` of `5.14.0-503.el9`). */
  build: number[];
}

const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?(?:-([0-9][0-9.]*)?(?:[._]?[A-Za-z][\w.]*)?)?$/;

export function parseKernelVersion(text: string): KernelVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  const build = (m[5] ?? '')
    .split('.')
    .filter((s) => s !== '')
    .map(Number);
  return {
    text,
    numbers: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)],
    ...(m[4] !== undefined ? { rc: Number(m[4]) } : {}),
    build,
  };
}

/** Negative, zero or positive like a comparator. An -rc sorts before its release. */
export function compareKernelVersions(a: KernelVersion, b: KernelVersion): number {
  for (let i = 0; i < 3; i++) {
    const d = a.numbers[i]! - b.numbers[i]!;
    if (d !== 0) return d;
  }
  const ra = a.rc ?? Infinity;
  const rb = b.rc ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  const n = Math.max(a.build.length, b.build.length);
  for (let i = 0; i < n; i++) {
    const d = (a.build[i] ?? 0) - (b.build[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface VersionComparator {
  op: '<' | '<=' | '>' | '>=' | '=';
  version: KernelVersion;
}

/** A range like `>=5.6 <6.9`: every comparator must hold. */
export function parseVersionRange(text: string): { range?: VersionComparator[]; error?: string } {
  const parts = text.trim().split(/\s+/);
  const range: VersionComparator[] = [];
  for (const part of parts) {
    const m = /^(<=|>=|<|>|=)?(.+)$/.exec(part);
    const version = m ? parseKernelVersion(m[2]!) : undefined;
    if (!m || !version) return { error: `'${part}' is not a comparator like >=5.6 or <6.9` };
    range.push({ op: (m[1] ?? '=') as VersionComparator['op'], version });
  }
  return { range };
}

/**
 * Whether a version satisfies a comparator. A bound naming two components names a whole series:
 * `<6.9` excludes every 6.9.x, `<=6.9` and `=6.9` include every 6.9.x, `>6.9` starts at 6.10.
 */
export function satisfies(v: KernelVersion, c: VersionComparator): boolean {
  const d = compareKernelVersions(v, c.version);
  switch (c.op) {
    case '<':
      return d < 0;
    case '<=':
      return d <= 0 || samePrefix(v, c.version);
    case '>':
      return d > 0 && !samePrefix(v, c.version);
    case '>=':
      return d >= 0;
    case '=':
      return d === 0 || samePrefix(v, c.version);
  }
}

/** `6.1` names the whole 6.1.x series: 6.1.12 has the prefix 6.1. */
function samePrefix(v: KernelVersion, c: KernelVersion): boolean {
  const given = c.text.trim().split(/[.-]/).length;
  if (given >= 3 || c.rc !== undefined) return false;
  return v.numbers[0] === c.numbers[0] && v.numbers[1] === c.numbers[1];
}

export function rangeSatisfied(v: KernelVersion, range: VersionComparator[]): boolean {
  return range.every((c) => satisfies(v, c));
}
