import type { Expr, KSymbol } from './model.js';

function symbolText(sym: KSymbol): string {
  if (sym.name === null) return '<choice>';
  if (sym.flags & 0x0001 && sym.name !== 'y' && sym.name !== 'm' && sym.name !== 'n') return JSON.stringify(sym.name);
  return sym.name;
}

const PRECEDENCE: Record<Expr['kind'], number> = { or: 1, and: 2, compare: 3, not: 4, symbol: 5 };

/** Kconfig syntax for an expression, with only the parentheses precedence needs. */
export function exprToString(e: Expr | null): string {
  if (!e) return 'y';
  return render(e, 0);
}

function render(e: Expr, parent: number): string {
  const p = PRECEDENCE[e.kind];
  let s: string;
  switch (e.kind) {
    case 'symbol':
      return symbolText(e.sym);
    case 'compare':
      s = `${symbolText(e.left)} ${e.op} ${symbolText(e.right)}`;
      break;
    case 'not':
      return `!${render(e.operand, p)}`;
    case 'and':
      s = `${render(e.left, p)} && ${render(e.right, p)}`;
      break;
    case 'or':
      s = `${render(e.left, p)} || ${render(e.right, p)}`;
      break;
  }
  return p < parent ? `(${s})` : s;
}

/** The top-level `||` terms of an expression (each select/imply and each definition adds one). */
export function orTerms(e: Expr | null): Expr[] {
  if (!e) return [];
  if (e.kind === 'or') return [...orTerms(e.left), ...orTerms(e.right)];
  return [e];
}

/** The top-level `&&` factors of an expression. */
export function andFactors(e: Expr | null): Expr[] {
  if (!e) return [];
  if (e.kind === 'and') return [...andFactors(e.left), ...andFactors(e.right)];
  return [e];
}
