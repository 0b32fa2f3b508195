import { codePointOrder } from '../model/code-point-order.js';

/** Edit distance with an early exit once every cell of a row exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Names close to a misspelt or removed symbol: small edit distance, or one name containing the
 * other (renames like FOO → FOO_CORE). Best first, at most `limit`.
 */
export function suggestSymbolNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = name.length <= 4 ? 1 : name.length <= 10 ? 2 : 3;
  const scored: Array<{ n: string; d: number }> = [];
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(name, c, max);
    if (d <= max) scored.push({ n: c, d });
    else if (name.length >= 5 && (c.includes(name) || (c.length >= 5 && name.includes(c)))) {
      scored.push({ n: c, d: max + 1 + Math.abs(c.length - name.length) / 100 });
    }
  }
  scored.sort((a, b) => a.d - b.d || codePointOrder(a.n, b.n));
  return scored.slice(0, limit).map((s) => s.n);
}
