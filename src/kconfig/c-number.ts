/**
 * C library number parsing (strtoll / strtoull) as Kconfig relies on it: leading blanks, optional
 * sign, base 0 auto-detection, the position where parsing stopped, and overflow.
 */
export interface ParsedNumber {
  value: bigint;
  /** Index of the first character not consumed (0 when nothing was parsed). */
  end: number;
  overflow: boolean;
}

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);
const ULLONG_MAX = (1n << 64n) - 1n;

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

function parse(str: string, base: number, unsigned: boolean): ParsedNumber {
  let p = 0;
  while (p < str.length && /[ \t\n\v\f\r]/.test(str[p]!)) p++;
  let negative = false;
  if (str[p] === '+' || str[p] === '-') {
    negative = str[p] === '-';
    p++;
  }
  if ((base === 0 || base === 16) && str[p] === '0' && (str[p + 1] === 'x' || str[p + 1] === 'X') && digitValue(str[p + 2] ?? '') < 16) {
    p += 2;
    base = 16;
  } else if (base === 0) {
    base = str[p] === '0' ? 8 : 10;
  }
  const start = p;
  let value = 0n;
  let overflow = false;
  const big = BigInt(base);
  while (p < str.length) {
    const d = digitValue(str[p]!);
    if (d >= base) break;
    value = value * big + BigInt(d);
    if (value > ULLONG_MAX) overflow = true;
    p++;
  }
  if (p === start) return { value: 0n, end: 0, overflow: false };
  if (unsigned) {
    if (overflow) return { value: ULLONG_MAX, end: p, overflow: true };
    return { value: negative ? BigInt.asUintN(64, -value) : value, end: p, overflow: false };
  }
  const signed = negative ? -value : value;
  if (overflow || signed > LLONG_MAX) return { value: LLONG_MAX, end: p, overflow: true };
  if (signed < LLONG_MIN) return { value: LLONG_MIN, end: p, overflow: true };
  return { value: signed, end: p, overflow: false };
}

export function strtoll(str: string, base: number): ParsedNumber {
  return parse(str, base, false);
}

export function strtoull(str: string, base: number): ParsedNumber {
  return parse(str, base, true);
}
