import { andExpr, F_CHOICEVAL, F_OPTIONAL, orExpr, symbolExpr, type Expr, type KSymbol, type MenuNode, type Property } from './model.js';
import { LEGACY_DIALECT, type KconfigDialect } from './dialect.js';
import type { SymbolTable } from './symbol-table.js';

/**
 * Menu finalization, as the language defines it: propagate every enclosing menu/if/choice
 * dependency into entries and their properties, build the select/imply reverse dependencies,
 * collect choice members, create automatic submenus (entries depending on the symbol just above)
 * and flatten `if` blocks.
 */
export function finalizeMenus(root: MenuNode, symbols: SymbolTable, modules: KSymbol, dialect: KconfigDialect = LEGACY_DIALECT): void {
  new MenuFinalizer(symbols, modules, dialect.choices === 'menu').finalize(root, false);
}

function exprContainsSymbol(e: Expr | null, sym: KSymbol): boolean {
  if (!e) return false;
  switch (e.kind) {
    case 'and':
    case 'or':
      return exprContainsSymbol(e.left, sym) || exprContainsSymbol(e.right, sym);
    case 'symbol':
      return e.sym === sym;
    case 'not':
      return exprContainsSymbol(e.operand, sym);
    case 'compare':
      return e.left === sym || e.right === sym;
  }
}

class MenuFinalizer {
  constructor(
    private readonly symbols: SymbolTable,
    private readonly modules: KSymbol,
    /** 6.11+: choices are plain menus to their members (no choice dependency, no submenus, no reverse dependency). */
    private readonly menuChoices: boolean,
  ) {}

  /** `m` in a dependency means `m && MODULES`, so that it is n without module support. */
  private rewriteM(e: Expr | null): Expr | null {
    if (!e) return e;
    switch (e.kind) {
      case 'not':
        return { kind: 'not', operand: this.rewriteM(e.operand)! };
      case 'and':
      case 'or':
        return { kind: e.kind, left: this.rewriteM(e.left)!, right: this.rewriteM(e.right)! };
      case 'symbol':
        return e.sym === this.symbols.mod ? { kind: 'and', left: e, right: symbolExpr(this.modules) } : e;
      default:
        return e;
    }
  }

  private dependsOn(dep: Expr | null, sym: KSymbol): boolean {
    if (!dep) return false;
    switch (dep.kind) {
      case 'and':
        return this.dependsOn(dep.left, sym) || this.dependsOn(dep.right, sym);
      case 'symbol':
        return dep.sym === sym;
      case 'compare':
        if (dep.left !== sym) return false;
        if (dep.op === '=') return dep.right === this.symbols.yes || dep.right === this.symbols.mod;
        if (dep.op === '!=') return dep.right === this.symbols.no;
        return false;
      default:
        return false;
    }
  }

  private ownProps(menu: MenuNode): Property[] {
    if (menu.sym) return menu.sym.props.filter((p) => p.menu === menu);
    return menu.prompt ? [menu.prompt] : [];
  }

  finalize(parent: MenuNode, insideChoice: boolean): void {
    const sym = parent.sym;
    if (parent.list) {
      let parentDep: Expr | null;
      if (sym && sym.isChoice && !this.menuChoices) {
        if (sym.type === 'unknown') {
          for (let m: MenuNode | null = parent.list; m; m = m.next) {
            if (m.sym && m.sym.type !== 'unknown') {
              sym.type = m.sym.type;
              break;
            }
          }
        }
        for (let m: MenuNode | null = parent.list; m; m = m.next) {
          if (m.sym && m.sym.type === 'unknown') m.sym.type = sym.type;
        }
        parentDep = symbolExpr(sym);
      } else {
        parentDep = parent.dep;
      }
      for (let m: MenuNode | null = parent.list; m; m = m.next) {
        const baseDep = andExpr(parentDep, this.rewriteM(m.dep));
        m.dep = baseDep;
        for (const prop of this.ownProps(m)) {
          const dep = andExpr(baseDep, this.rewriteM(prop.visibleExpr));
          prop.visibleExpr = dep;
          if ((prop.type === 'select' || prop.type === 'imply') && prop.expr?.kind === 'symbol') {
            const target = prop.expr.sym;
            const term = andExpr(symbolExpr(m.sym!), dep)!;
            if (prop.type === 'select') target.revDep = orExpr(target.revDep, term);
            else target.implied = orExpr(target.implied, term);
          }
        }
      }
      for (let m: MenuNode | null = parent.list; m; m = m.next) this.finalize(m, !!sym && sym.isChoice);
    } else if (sym && !(this.menuChoices && insideChoice)) {
      // Automatic submenu: following entries that depend on this symbol become its children.
      let last: MenuNode | null = null;
      for (let m = parent.next; m; m = m.next) {
        const dep = m.prompt ? m.prompt.visibleExpr : m.dep;
        if (!exprContainsSymbol(dep, sym)) break;
        if (!this.dependsOn(dep, sym)) break;
        this.finalize(m, false);
        m.parent = parent;
        last = m;
      }
      if (last) {
        parent.list = parent.next;
        parent.next = last.next;
        last.next = null;
      }
      sym.dirDep = orExpr(sym.dirDep, parent.dep);
    }

    for (let m = parent.list; m; m = m.next) {
      if (!this.menuChoices && sym && sym.isChoice && m.sym && !m.sym.isChoiceValue) {
        const member = m.sym;
        member.flags |= F_CHOICEVAL;
        if (sym.type === 'tristate' && member.type !== 'tristate') {
          const yesDep: Expr = { kind: 'compare', op: '=', left: sym, right: this.symbols.yes };
          m.dep = andExpr(yesDep, m.dep);
          for (const prop of member.props) {
            if (prop.menu === m) prop.visibleExpr = andExpr(yesDep, prop.visibleExpr);
          }
        }
        member.props.push({
          type: 'choice',
          expr: symbolExpr(sym),
          visibleExpr: null,
          visibleTri: 0,
          menu: m,
          where: m.where,
        });
        sym.choiceProp()!.choiceMembers!.push(member);
      }
      // Flatten `if` blocks and submenus under prompt-less symbols.
      if (m.list && (!m.prompt || !m.prompt.text)) {
        let last = m.list;
        for (;;) {
          last.parent = parent;
          if (!last.next) break;
          last = last.next;
        }
        last.next = m.next;
        m.next = m.list;
        m.list = null;
      }
    }

    if (!this.menuChoices && sym && !(sym.flags & F_OPTIONAL) && parent.prompt) {
      sym.revDep = orExpr(sym.revDep, andExpr(parent.prompt.visibleExpr, symbolExpr(this.symbols.mod)));
    }
  }
}
