/**
 * rpm 4.18's rich dependency grammar (lib/rpmds.c rpmrichParseInternal, ported statement by
 * statement, checks included): `(A op B ...)` with the ops and, or, if, unless, else, with,
 * without, nested expressions, and simple dependencies `NAME [CMP EVR]`. rpm stores the
 * expression in its normal form (single blanks, `<=`/`>=`/`=` comparisons), so a header value
 * is carried exactly only when it parses and equals its own normal form. Returns the simple
 * dependencies (for the caller's name/EVR checks), or a reason it cannot be carried.
 */

export interface SimpleDependency {
  name: string;
  evr?: string;
}

type Op = 'SINGLE' | 'and' | 'or' | 'if' | 'unless' | 'else' | 'with' | 'without';
const OPS: Op[] = ['and', 'or', 'if', 'unless', 'else', 'with', 'without'];
const CHECK = 1;
const NO_WITH = 2;
const NO_AND = 4;
const NO_OR = 8;
const COMPARISONS: Record<string, string> = { '<=': '<=', '=<': '<=', '<': '<', '==': '=', '=': '=', '>=': '>=', '=>': '>=', '>': '>' };

class RichError extends Error {}

/** risspace: the C locale's blanks. */
const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\n\v\f\r'.includes(c);

export function parseRichDependency(
  text: string,
  context: 'requires' | 'conflicts',
): { normal: string; simple: SimpleDependency[] } | { problem: string } {
  const s = text;
  let out = '';
  const simple: SimpleDependency[] = [];
  const skipWhite = (p: number): number => {
    while (p < s.length && (isSpace(s[p]) || s[p] === ',')) p++;
    return p;
  };
  // SKIPNONWHITEX: a name may hold balanced parentheses (`perl(Foo)`)
  const skipNonWhiteX = (p: number): number => {
    let bl = 0;
    while (p < s.length && !(isSpace(s[p]) || s[p] === ',' || (s[p] === ')' && bl-- <= 0))) if (s[p++] === '(') bl++;
    return p;
  };
  const parseSimple = (p: number): number => {
    const n = p;
    p = skipNonWhiteX(p);
    if (p === n) throw new RichError('Name required');
    const dep: SimpleDependency = { name: s.slice(n, p) };
    out += dep.name;
    p = skipWhite(p);
    if (p < s.length) {
      const pe = skipNonWhiteX(p);
      const cmp = COMPARISONS[s.slice(p, pe)];
      if (cmp) {
        p = skipWhite(pe);
        const e = p;
        p = skipNonWhiteX(p);
        if (p === e) throw new RichError('Version required');
        dep.evr = s.slice(e, p);
        out += ` ${cmp} ${dep.evr}`;
      }
    }
    simple.push(dep);
    return p;
  };
  const parseCheck = (op: Op, check: number): void => {
    if ((op === 'with' || op === 'without') && check & NO_WITH) throw new RichError('Illegal ops in with/without');
    if (!(check & CHECK)) return;
    if ((op === 'and' || op === 'if') && check & NO_AND) throw new RichError("Illegal context for 'unless'");
    if ((op === 'or' || op === 'unless') && check & NO_OR) throw new RichError("Illegal context for 'if'");
  };
  const parse = (p: number, checkIn: { v: number }): number => {
    let op: Op = 'SINGLE';
    let firstop: Op = 'SINGLE';
    let chainop: Op | undefined;
    let check = checkIn.v;
    out += '(';
    if (s[p++] !== '(') throw new RichError("Rich dependency does not start with '('");
    for (;;) {
      p = skipWhite(p);
      if (s[p] === ')') throw new RichError(chainop ? 'Missing argument to rich dependency op' : 'Empty rich dependency');
      if (s[p] === '(') {
        const sub = { v: check & CHECK };
        p = parse(p, sub);
        if (op === 'if' || op === 'unless') sub.v &= ~(NO_AND | NO_OR);
        check |= sub.v;
      } else {
        p = parseSimple(p);
      }
      p = skipWhite(p);
      if (p >= s.length) throw new RichError('Unterminated rich dependency');
      if (s[p] === ')') break;
      let pe = p;
      while (pe < s.length && !isSpace(s[pe]) && s[pe] !== ')') pe++;
      const word = s.slice(p, pe);
      if (!OPS.includes(word as Op)) throw new RichError(`Unknown rich dependency op '${word.slice(0, 20)}'`);
      op = word as Op;
      if (firstop === 'SINGLE') firstop = op;
      if (op === 'else' && (chainop === 'if' || chainop === 'unless')) chainop = undefined;
      if (chainop && op !== chainop) throw new RichError('Cannot chain different ops');
      if (chainop && op !== 'and' && op !== 'or' && op !== 'with') throw new RichError('Can only chain and/or/with ops');
      out += ` ${op} `;
      chainop = op;
      p = pe;
    }
    parseCheck(firstop, check);
    if (firstop === 'if') check |= NO_OR;
    if (firstop === 'unless') check |= NO_AND;
    if (op === 'and' || op === 'or') check &= ~(NO_AND | NO_OR);
    if (op !== 'SINGLE' && op !== 'with' && op !== 'without' && op !== 'or') check |= NO_WITH;
    p++;
    out += ')';
    checkIn.v |= check;
    return p;
  };
  try {
    const check = { v: CHECK };
    const end = parse(0, check);
    parseCheck(context === 'conflicts' ? 'or' : 'and', check.v);
    if (end !== s.length) return { problem: 'holds more than one rich dependency' };
  } catch (err) {
    if (err instanceof RichError) return { problem: `is not a rich dependency rpm accepts (${err.message})` };
    throw err;
  }
  if (out !== text) return { problem: `is not in rpm's normal form ('${out.slice(0, 80)}')` };
  return { normal: out, simple };
}
