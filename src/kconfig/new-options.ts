import type { KconfigTree } from './kconfig-tree.js';
import { F_CONST, NO, YES, type Expr, type KSymbol, type MenuNode } from './model.js';

/**
 * What `make listnewconfig` prints for the config last resolved on `tree` (the evaluator's state
 * right after resolveConfig): every named symbol of a visible menu entry that the config gives
 * no value and the user could change (visible above what selects force), or a choice that is `y`.
 * Distributions fail their config check (`process_configs.sh -n`) on any such symbol.
 */
export function listNewOptions(tree: KconfigTree): string[] {
  const ev = tree.evaluator;
  const out: string[] = [];
  const seen = new Set<string>();
  const menuVisible = (menu: MenuNode): boolean => {
    if (!menu.prompt) return false;
    if (menu.visibility && ev.exprValue(menu.visibility) === NO) return false;
    const sym = menu.sym;
    let visible;
    if (sym) {
      ev.calcValue(sym);
      visible = menu.prompt.visibleTri;
    } else {
      visible = menu.prompt.visibleTri = ev.exprValue(menu.prompt.visibleExpr);
    }
    if (visible !== NO) return true;
    if (!sym || ev.tristateValue(sym) === NO) return false;
    for (let c = menu.list; c; c = c.next) if (menuVisible(c)) return true;
    return false;
  };
  const walk = (menu: MenuNode): void => {
    if (!menuVisible(menu)) return;
    const sym = menu.sym;
    if (sym && !sym.hasUserValue && (sym.visible > sym.revDepTri || (sym.isChoice && ev.tristateValue(sym) === YES))) {
      if (sym.name && !seen.has(sym.name)) {
        seen.add(sym.name);
        out.push(sym.name);
      }
    }
    for (let c = menu.list; c; c = c.next) walk(c);
  };
  walk(tree.rootMenu);
  return out;
}

/**
 * The symbols `name`'s visibility depends on, nearest first: its `depends on`, its prompts'
 * conditions, then theirs, up to `depth` steps. Used to tell which request made a new option visible.
 */
export function dependencyChain(tree: KconfigTree, name: string, depth = 4): string[] {
  const start = tree.symbols.find(name);
  if (!start) return [];
  const out: string[] = [];
  const seen = new Set<KSymbol>([start]);
  let frontier: KSymbol[] = [start];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: KSymbol[] = [];
    for (const sym of frontier) {
      const exprs: Array<Expr | null> = [sym.dirDep, ...sym.props.filter((p) => p.text !== undefined).map((p) => p.visibleExpr)];
      for (const e of exprs)
        collect(e, (s) => {
          if (seen.has(s) || !s.name || s.flags & F_CONST) return;
          seen.add(s);
          out.push(s.name);
          next.push(s);
        });
    }
    frontier = next;
  }
  return out;
}

function collect(e: Expr | null, add: (s: KSymbol) => void): void {
  if (!e) return;
  switch (e.kind) {
    case 'symbol':
      add(e.sym);
      return;
    case 'and':
    case 'or':
      collect(e.left, add);
      collect(e.right, add);
      return;
    case 'not':
      collect(e.operand, add);
      return;
    case 'compare':
      add(e.left);
      add(e.right);
      return;
  }
}
