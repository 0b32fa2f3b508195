/**
 * rpm's version comparison (rpmvercmp): both strings are split into runs of digits and runs of
 * letters (everything else separates); digit runs compare numerically and beat letter runs;
 * `~` sorts before anything (pre-releases), `^` after the end but before any further segment.
 */
export function rpmVersionCompare(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const digits = /[0-9]/.test(a[i]!);
    const run = digits ? /^[0-9]+/ : /^[A-Za-z]+/;
    const x = run.exec(a.slice(i))?.[0] ?? '';
    const y = run.exec(b.slice(j))?.[0] ?? '';
    if (!y) return digits ? 1 : -1; // a digit run beats a letter run
    i += x.length;
    j += y.length;
    if (digits) {
      const xn = x.replace(/^0+/, '');
      const yn = y.replace(/^0+/, '');
      if (xn.length !== yn.length) return xn.length > yn.length ? 1 : -1;
      if (xn !== yn) return xn > yn ? 1 : -1;
    } else if (x !== y) {
      return x > y ? 1 : -1;
    }
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Compare `version-release` strings (`5.14.0-570.el9`): version first, then release. */
export function compareVersionRelease(a: string, b: string): number {
  const [av = '', ar = ''] = splitVr(a);
  const [bv = '', br = ''] = splitVr(b);
  return rpmVersionCompare(av, bv) || rpmVersionCompare(ar, br);
}

function splitVr(vr: string): [string, string] {
  const at = vr.lastIndexOf('-');
  return at < 0 ? [vr, ''] : [vr.slice(0, at), vr.slice(at + 1)];
}
