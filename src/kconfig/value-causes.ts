import type { RelatedLocation } from '../findings/finding.js';
import { andFactors, exprToString, orTerms } from './expr-to-string.js';
import type { KconfigTree } from './kconfig-tree.js';
import { MOD, NO, YES, type Expr, type KSymbol, type Tristate } from './model.js';
import { describeOrigin, sourceOrigin, sourceWhere, type ValueSource } from './provenance.js';

const TRI_NAMES = ['n', 'm', 'y'] as const;

/**
 * Why a symbol has its value, as related locations for findings: where it is defined, which
 * default applies, which selects/implies are active and who set their selectors, which symbols
 * block an expression, and the request or base line at the root of each blocker.
 */
export class ValueCauses {
  private readonly ev;
  constructor(
    private readonly tree: KconfigTree,
    private readonly sources: readonly ValueSource[],
  ) {
    this.ev = tree.evaluator;
  }

  setBy(sym: KSymbol): ValueSource | undefined {
    return sym.userSource >= 0 ? this.sources[sym.userSource] : undefined;
  }

  valueOf(sym: KSymbol): string {
    if (sym.type === 'bool' || sym.type === 'tristate') return TRI_NAMES[sym.curr.tri];
    return typeof sym.curr.val === 'string' ? sym.curr.val : '';
  }

  definedAt(sym: KSymbol, message: string): RelatedLocation[] {
    return sym
      .definitions()
      .slice(0, 2)
      .map((m) => ({ message, where: m.where }));
  }

  defaultRelated(sym: KSymbol): RelatedLocation[] {
    for (const p of sym.props) {
      if (p.type === 'default' && p.visibleTri !== NO)
        return [
          {
            message: `default ${exprToString(p.expr)}${p.visibleExpr ? ` if ${shorten(exprToString(p.visibleExpr), 120)}` : ''}`,
            where: p.where,
          },
        ];
    }
    return this.definedAt(sym, 'defined here');
  }

  impliedRelated(sym: KSymbol): RelatedLocation[] {
    if (sym.impliedTri === NO) return [];
    return this.activeTerms(sym.implied, sym.impliedTri).flatMap((s) =>
      this.whoSet(s, `${s.name}=${this.valueOf(s)} implies it`, sym, 'imply'),
    );
  }

  /** Symbols of the `||` terms (`SELECTOR && cond`) whose value reaches `level`. */
  activeTerms(e: Expr | null, level: Tristate): KSymbol[] {
    const out: KSymbol[] = [];
    for (const t of orTerms(e)) {
      if (this.ev.exprValue(t) < level) continue;
      const first = andFactors(t)[0];
      if (first?.kind === 'symbol' && !out.includes(first.sym)) out.push(first.sym);
    }
    return out;
  }

  /** Who gave `sym` its value (a request or base line), and where the select/imply is written. */
  whoSet(sym: KSymbol, what: string, target?: KSymbol, via?: 'select' | 'imply'): RelatedLocation[] {
    const out: RelatedLocation[] = [];
    const src = this.setBy(sym);
    if (src)
      out.push({
        message: `CONFIG_${what.replace(/ implies it$/, '')} set by ${describeOrigin(sourceOrigin(src))}`,
        where: sourceWhere(src),
      });
    if (target && via) {
      const p = sym.props.find((q) => q.type === via && q.expr?.kind === 'symbol' && q.expr.sym === target);
      if (p) out.push({ message: `${sym.name} ${via}s ${target.name} here`, where: p.where });
    }
    if (!src && !(target && via)) out.push(...this.definedAt(sym, `CONFIG_${what} by default`));
    return out;
  }

  /** Leaf symbols that keep `e` below `want`. */
  blockers(e: Expr, want: Tristate): KSymbol[] {
    const out: KSymbol[] = [];
    const add = (s: KSymbol): void => {
      if (s.flags & 0x0001 || s === this.tree.symbols.yes || s === this.tree.symbols.mod || s === this.tree.symbols.no) return;
      if (!out.includes(s)) out.push(s);
    };
    const walk = (x: Expr, need: Tristate, high: boolean): void => {
      const v = this.ev.exprValue(x);
      if (!high && v >= need) return;
      if (high && v <= need) return;
      switch (x.kind) {
        case 'symbol':
          add(x.sym);
          return;
        case 'and':
          if (high) {
            walk(x.left, need, true);
            walk(x.right, need, true);
          } else {
            walk(x.left, need, false);
            walk(x.right, need, false);
          }
          return;
        case 'or':
          walk(x.left, need, high);
          walk(x.right, need, high);
          return;
        case 'not':
          walk(x.operand, (2 - need) as Tristate, !high);
          return;
        case 'compare':
          add(x.left);
          add(x.right);
          return;
      }
    };
    walk(e, want, false);
    return out;
  }

  /**
   * For each blocking symbol, the request or base line that set it; for symbols nobody set, look
   * through their own dependencies (a few levels) for the setting that caused them to be off.
   */
  rootCauses(blockers: KSymbol[]): RelatedLocation[] {
    const out: RelatedLocation[] = [];
    const seen = new Set<KSymbol>();
    const visit = (s: KSymbol, depth: number): void => {
      if (seen.has(s) || out.length >= 8) return;
      seen.add(s);
      const src = this.setBy(s);
      // A setting explains the value only if the value is what was set.
      if (src && src.raw.replace(/^"|"$/g, '') === this.valueOf(s)) {
        out.push({ message: `CONFIG_${s.name}=${src.raw} set by ${describeOrigin(sourceOrigin(src))}`, where: sourceWhere(src) });
        return;
      }
      if (depth < 6 && s.dirDep && s.dirDepTri < YES) {
        const next = this.blockers(s.dirDep, s.type === 'tristate' && s.dirDepTri === NO ? MOD : YES);
        if (next.length) {
          for (const n of next) visit(n, depth + 1);
          return;
        }
      }
      if (depth === 0) out.push(...this.definedAt(s, `CONFIG_${s.name}=${this.valueOf(s)} (its default)`));
    };
    for (const b of blockers) visit(b, 0);
    return out;
  }
}

export function shorten(s: string, max = 240): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
