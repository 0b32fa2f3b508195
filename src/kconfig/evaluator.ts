import { strtoll, strtoull } from './c-number.js';
import {
  F_CHOICE,
  F_CONST,
  F_DEF_USER,
  F_NO_WRITE,
  F_VALID,
  F_WRITE,
  MOD,
  NO,
  YES,
  type Expr,
  type KSymbol,
  type MenuNode,
  type Property,
  type SymbolType,
  type Tristate,
} from './model.js';
import type { SymbolTable } from './symbol-table.js';
import { resetChoicePriorities } from './choice-menus.js';
import { LEGACY_DIALECT, type KconfigDialect } from './dialect.js';

const and = (a: Tristate, b: Tristate): Tristate => (a < b ? a : b);
const or = (a: Tristate, b: Tristate): Tristate => (a > b ? a : b);

/**
 * Symbol value calculation with the reference tool's caching: a value is computed once and kept
 * until `clearAllValid`; visibility, direct/reverse/implied dependency levels, defaults, choices
 * and ranges as the Kconfig language defines them.
 */
export class KconfigEvaluator {
  /** Value of the `modules` symbol as last computed (tristates act as bools while it is n). */
  modulesVal: Tristate = NO;
  /** Symbols whose select forced them above their direct dependencies. */
  readonly unmet = new Set<KSymbol>();

  /** 6.11+: members carry the choice's value (see dialect.ts). */
  private readonly menuChoices: boolean;
  /** 6.11+: for each choice, the member last chosen and by which rule (for explanations). */
  readonly choiceDecisions = new Map<KSymbol, ChoiceDecision>();

  constructor(
    readonly symbols: SymbolTable,
    readonly modules: KSymbol,
    readonly dialect: KconfigDialect = LEGACY_DIALECT,
  ) {
    this.menuChoices = dialect.choices === 'menu';
  }

  /** Forget every value and user setting (a fresh `conf` process). */
  reset(): void {
    this.modulesVal = NO;
    this.unmet.clear();
    for (const s of this.symbols.all()) {
      s.flags &= F_CONST | F_CHOICE | 0x0020 | 0x0100 | F_NO_WRITE;
      s.curr.tri = NO;
      s.curr.val = null;
      s.visible = NO;
      s.dirDepTri = NO;
      s.revDepTri = NO;
      s.impliedTri = NO;
      s.userTri = NO;
      s.userVal = null;
      s.userSource = -1;
      for (const p of s.props) p.visibleTri = NO;
    }
    if (this.menuChoices) {
      resetChoicePriorities(this.symbols);
      this.choiceDecisions.clear();
    }
  }

  typeOf(sym: KSymbol): SymbolType {
    if (sym.type === 'tristate') {
      if (!this.menuChoices && sym.isChoiceValue && sym.visible === YES) return 'bool';
      if (this.modulesVal === NO) return 'bool';
    }
    return sym.type;
  }

  exprValue(e: Expr | null): Tristate {
    if (!e) return YES;
    switch (e.kind) {
      case 'symbol':
        this.calcValue(e.sym);
        return e.sym.curr.tri;
      case 'and': {
        const a = this.exprValue(e.left);
        const b = this.exprValue(e.right);
        return and(a, b);
      }
      case 'or': {
        const a = this.exprValue(e.left);
        const b = this.exprValue(e.right);
        return or(a, b);
      }
      case 'not':
        return (2 - this.exprValue(e.operand)) as Tristate;
      case 'compare':
        return this.compare(e.op, e.left, e.right);
    }
  }

  private compare(op: string, left: KSymbol, right: KSymbol): Tristate {
    this.calcValue(left);
    this.calcValue(right);
    const s1 = this.stringValue(left);
    const s2 = this.stringValue(right);
    let k1: Kind = 'string';
    let k2: Kind = 'string';
    let v1 = 0n;
    let v2 = 0n;
    if (left.type !== 'string' || right.type !== 'string') {
      [k1, v1] = parseForCompare(s1, left.type);
      [k2, v2] = parseForCompare(s2, right.type);
    }
    let res: number;
    if (k1 === 'string' || k2 === 'string') res = s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
    else if (k1 === 'unsigned' || k2 === 'unsigned') {
      const a = BigInt.asUintN(64, v1);
      const b = BigInt.asUintN(64, v2);
      res = a > b ? 1 : a < b ? -1 : 0;
    } else res = v1 > v2 ? 1 : v1 < v2 ? -1 : 0;
    switch (op) {
      case '=':
        return res ? NO : YES;
      case '>=':
        return res >= 0 ? YES : NO;
      case '>':
        return res > 0 ? YES : NO;
      case '<=':
        return res <= 0 ? YES : NO;
      case '<':
        return res < 0 ? YES : NO;
      default:
        return res ? YES : NO;
    }
  }

  stringValue(sym: KSymbol): string {
    if (sym.type === 'bool' || sym.type === 'tristate') {
      const t = sym.curr.tri;
      return t === NO ? 'n' : t === MOD ? 'm' : 'y';
    }
    const v = sym.curr.val;
    return typeof v === 'string' ? v : '';
  }

  tristateValue(sym: KSymbol): Tristate {
    return sym.curr.tri;
  }

  private defaultProp(sym: KSymbol): Property | undefined {
    for (const p of sym.props) {
      if (p.type !== 'default') continue;
      p.visibleTri = this.exprValue(p.visibleExpr);
      if (p.visibleTri !== NO) return p;
    }
    return undefined;
  }

  rangeProp(sym: KSymbol): Property | undefined {
    for (const p of sym.props) {
      if (p.type !== 'range') continue;
      p.visibleTri = this.exprValue(p.visibleExpr);
      if (p.visibleTri !== NO) return p;
    }
    return undefined;
  }

  calcVisibility(sym: KSymbol): void {
    let tri: Tristate = NO;
    const choice = !this.menuChoices && sym.isChoiceValue ? sym.choiceOf() : undefined;
    for (const p of sym.props) {
      if (p.text === undefined) continue;
      p.visibleTri = this.exprValue(p.visibleExpr);
      if (choice && sym.type === 'tristate' && p.visibleTri === MOD && choice.curr.tri === YES) p.visibleTri = NO;
      tri = or(tri, p.visibleTri);
    }
    if (tri === MOD && (sym.type !== 'tristate' || this.modulesVal === NO)) tri = YES;
    sym.visible = tri;
    if (sym.isChoiceValue) return;
    tri = sym.dirDep ? this.exprValue(sym.dirDep) : YES;
    if (tri === MOD && this.typeOf(sym) === 'bool') tri = YES;
    sym.dirDepTri = tri;
    tri = sym.revDep ? this.exprValue(sym.revDep) : NO;
    if (tri === MOD && this.typeOf(sym) === 'bool') tri = YES;
    sym.revDepTri = tri;
    tri = sym.implied ? this.exprValue(sym.implied) : NO;
    if (tri === MOD && this.typeOf(sym) === 'bool') tri = YES;
    sym.impliedTri = tri;
  }

  /** The member a choice selects when the user's pick is not visible (`sym_choice_default`). */
  choiceDefault(choice: KSymbol): KSymbol | undefined {
    for (const p of choice.props) {
      if (p.type !== 'default') continue;
      p.visibleTri = this.exprValue(p.visibleExpr);
      if (p.visibleTri === NO) continue;
      const d = p.expr?.kind === 'symbol' ? p.expr.sym : undefined;
      if (d && d.visible !== NO) return d;
    }
    const members = this.menuChoices ? (choice.choiceEntries ?? []) : (choice.choiceProp()?.choiceMembers ?? []);
    for (const m of members) if (m.visible !== NO) return m;
    return undefined;
  }

  /**
   * 6.11+ `sym_calc_choice`: the first visible member (in priority order) the user set to y; else
   * the default unless the user set it to n; else the first visible member without a user value;
   * else the least prioritized visible member. Every visible entry of the choice gets y or n.
   */
  calcMenuChoice(choice: KSymbol): KSymbol | undefined {
    const priority = choice.choicePriority ?? [];
    let res: KSymbol | undefined;
    let rule: ChoiceDecision['rule'] = 'none';
    for (const m of priority) {
      this.calcVisibility(m);
      if (m.visible === NO) continue;
      if (m.flags & F_DEF_USER && m.userTri === YES) {
        res = m;
        rule = 'user-y';
        break;
      }
    }
    let rejectedDefault: KSymbol | undefined;
    if (!res) {
      res = this.choiceDefault(choice);
      rule = 'default';
      if (res && res.flags & F_DEF_USER && res.userTri === NO) {
        rejectedDefault = res;
        res = undefined;
      }
    }
    const entries = choice.choiceEntries ?? [];
    if (!res) {
      for (const m of entries) {
        if (m.visible === NO || m.flags & F_DEF_USER) continue;
        res = m;
        rule = 'first-unset';
        break;
      }
    }
    if (!res) {
      for (let i = priority.length - 1; i >= 0; i--) {
        const m = priority[i]!;
        if (m.visible === NO) continue;
        res = m;
        rule = 'least-recent-n';
        break;
      }
    }
    this.choiceDecisions.set(choice, { selected: res, rule: res ? rule : 'none', rejectedDefault });
    for (const m of entries) {
      if (m.visible === NO) continue;
      m.curr.tri = m === res ? YES : NO;
      m.flags |= F_VALID | F_WRITE;
    }
    return res;
  }

  private calcChoice(choice: KSymbol): KSymbol | undefined {
    let flags = choice.flags;
    for (const m of choice.choiceProp()?.choiceMembers ?? []) {
      this.calcVisibility(m);
      if (m.visible !== NO) flags &= m.flags;
    }
    choice.flags &= flags | ~F_DEF_USER;
    const user = choice.userVal;
    if (user && typeof user !== 'string' && user.visible !== NO) return user;
    const d = this.choiceDefault(choice);
    if (!d) choice.curr.tri = NO;
    return d;
  }

  calcValue(sym: KSymbol): void {
    if (sym.flags & F_VALID) return;
    sym.flags |= F_VALID;
    // values are updated in place (each symbol owns its `curr`): no allocation per evaluation
    const oldTri = sym.curr.tri;
    const oldVal = sym.curr.val;
    let tri: Tristate = NO;
    let val: string | KSymbol | null;
    switch (sym.type) {
      case 'int':
        val = this.dialect.emptyNumberIsZero ? '0' : '';
        break;
      case 'hex':
        val = this.dialect.emptyNumberIsZero ? '0x0' : '';
        break;
      case 'string':
        val = '';
        break;
      case 'bool':
      case 'tristate':
        val = 'n';
        break;
      default:
        sym.curr.tri = NO;
        sym.curr.val = sym.name;
        return;
    }
    sym.flags &= ~F_WRITE;
    this.calcVisibility(sym);
    if (sym.visible !== NO) sym.flags |= F_WRITE;
    sym.curr.tri = tri;
    sym.curr.val = val;

    const type = this.typeOf(sym);
    if (type === 'bool' || type === 'tristate') {
      if (this.menuChoices && sym.choiceMenu) {
        this.calcMenuChoice(sym.choiceMenu.sym!);
        tri = sym.curr.tri;
      } else if (!this.menuChoices && sym.isChoiceValue && sym.visible === YES) {
        const choice = sym.choiceOf()!;
        tri = choice.curr.val === sym ? YES : NO;
      } else {
        let done = false;
        if (sym.visible !== NO && sym.flags & F_DEF_USER) {
          tri = and(sym.userTri, sym.visible);
          done = true;
        }
        if (!done) {
          if (sym.revDepTri !== NO) sym.flags |= F_WRITE;
          if (!sym.isChoice) {
            const p = this.defaultProp(sym);
            if (p) {
              tri = and(this.exprValue(p.expr), p.visibleTri);
              if (tri !== NO) sym.flags |= F_WRITE;
            }
            if (sym.impliedTri !== NO) {
              sym.flags |= F_WRITE;
              tri = or(tri, sym.impliedTri);
              tri = and(tri, sym.dirDepTri);
            }
          }
        }
        if (sym.dirDepTri < sym.revDepTri) this.unmet.add(sym);
        tri = or(tri, sym.revDepTri);
      }
      if (tri === MOD && this.typeOf(sym) === 'bool') tri = YES;
    } else if (type === 'string' || type === 'hex' || type === 'int') {
      if (sym.visible !== NO && sym.flags & F_DEF_USER) {
        val = sym.userVal;
      } else {
        const p = this.defaultProp(sym);
        if (p && p.expr?.kind === 'symbol') {
          const ds = p.expr.sym;
          sym.flags |= F_WRITE;
          this.calcValue(ds);
          val = ds.curr.val;
        }
      }
    }

    sym.curr.tri = tri;
    sym.curr.val = val;
    if (!this.menuChoices && sym.isChoice && tri === YES) sym.curr.val = this.calcChoice(sym) ?? null;
    this.validateRange(sym);

    if (sym === this.modules && (oldTri !== sym.curr.tri || oldVal !== sym.curr.val)) {
      this.modulesVal = sym.curr.tri;
    }

    if (this.menuChoices) {
      if (sym.isChoice) sym.flags &= ~F_WRITE;
      return;
    }
    if (sym.isChoice) {
      for (const m of sym.choiceProp()?.choiceMembers ?? []) {
        if (sym.flags & F_WRITE && m.visible !== NO) m.flags |= F_WRITE;
      }
    }
    if (sym.flags & F_NO_WRITE) sym.flags &= ~F_WRITE;
  }

  private rangeValue(sym: KSymbol, base: number): bigint {
    this.calcValue(sym);
    if (sym.type === 'int') base = 10;
    else if (sym.type === 'hex') base = 16;
    return strtoll(typeof sym.curr.val === 'string' ? sym.curr.val : '', base).value;
  }

  private validateRange(sym: KSymbol): void {
    if (sym.type !== 'int' && sym.type !== 'hex') return;
    const base = sym.type === 'int' ? 10 : 16;
    const p = this.rangeProp(sym);
    if (!p) return;
    const val = strtoll(typeof sym.curr.val === 'string' ? sym.curr.val : '', base).value;
    let bound = p.rangeLow!;
    if (val >= this.rangeValue(bound, base)) {
      bound = p.rangeHigh!;
      if (val <= this.rangeValue(bound, base)) return;
    }
    sym.curr.val = bound.curr.val;
  }

  /** Whether a string is a valid value for the symbol's type and within its active range. */
  stringWithinRange(sym: KSymbol, str: string): boolean {
    switch (sym.type) {
      case 'string':
        return true;
      case 'int':
      case 'hex': {
        if (!stringValidFor(sym.type, str)) return false;
        const p = this.rangeProp(sym);
        if (!p) return true;
        const base = sym.type === 'int' ? 10 : 16;
        const v = strtoll(str, base).value;
        return v >= this.rangeValue(p.rangeLow!, base) && v <= this.rangeValue(p.rangeHigh!, base);
      }
      default:
        return false;
    }
  }

  /** Drop every cached value (the next read recomputes), then recompute `modules`. */
  clearAllValid(): void {
    for (const s of this.symbols.all()) s.flags &= ~F_VALID;
    this.calcValue(this.modules);
  }

  /** Whether a menu/comment/symbol entry is shown (menu_is_visible). */
  menuIsVisible(menu: MenuNode): boolean {
    if (!menu.prompt) return false;
    if (menu.visibility && this.exprValue(menu.visibility) === NO) return false;
    let visible: Tristate;
    if (menu.sym) {
      this.calcValue(menu.sym);
      visible = menu.prompt.visibleTri;
    } else {
      visible = menu.prompt.visibleTri = this.exprValue(menu.prompt.visibleExpr);
    }
    if (visible !== NO) return true;
    if (!menu.sym || menu.sym.curr.tri === NO) return false;
    for (let c = menu.list; c; c = c.next) {
      if (this.menuIsVisible(c)) {
        if (this.dialect.menuVisibleSetsUser) menu.sym.flags |= F_DEF_USER;
        return true;
      }
    }
    return false;
  }
}

/**
 * How a 6.11+ choice picked its member: `user-y` the visible member set to y read last; `default`
 * the choice's default (nobody set a visible member to y); `first-unset` the first visible member
 * without a value (the default was set to n or is not visible); `least-recent-n` every visible
 * member was set to n, so the one read earliest stays y; `none` no member is visible.
 */
export interface ChoiceDecision {
  selected: KSymbol | undefined;
  rule: 'user-y' | 'default' | 'first-unset' | 'least-recent-n' | 'none';
  /** The default the user set to n (for `first-unset` / `least-recent-n`). */
  rejectedDefault: KSymbol | undefined;
}

type Kind = 'string' | 'signed' | 'unsigned';

function parseForCompare(str: string, type: SymbolType): [Kind, bigint] {
  if (type === 'bool' || type === 'tristate') {
    return ['signed', str === 'n' ? 0n : str === 'm' ? 1n : str === 'y' ? 2n : -1n];
  }
  const r = type === 'int' ? strtoll(str, 10) : type === 'hex' ? strtoull(str, 16) : strtoll(str, 0);
  const kind: Kind = type === 'hex' ? 'unsigned' : 'signed';
  const ok = !r.overflow && r.end === str.length && r.end > 0 && /[0-9a-fA-F]/.test(str[r.end - 1]!);
  return ok ? [kind, r.value] : ['string', 0n];
}

/** Syntax check of a value for an int/hex/bool/tristate/string symbol. */
export function stringValidFor(type: SymbolType, str: string): boolean {
  switch (type) {
    case 'string':
      return true;
    case 'int':
      return /^-?(0|[1-9][0-9]*)$/.test(str) || /^-?[0-9]$/.test(str);
    case 'hex':
      return /^(0[xX])?[0-9a-fA-F]+$/.test(str);
    case 'bool':
    case 'tristate':
      return /^[yYmMnN]/.test(str);
    default:
      return false;
  }
}
