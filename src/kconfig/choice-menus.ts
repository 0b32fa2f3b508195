import type { KSymbol, MenuNode } from './model.js';
import type { SymbolTable } from './symbol-table.js';

/**
 * The 6.11+ choice structure, derived from the finalized menu tree (so parsed and cache-restored
 * trees get it the same way): for each choice its sub-entries in depth-first order
 * (`menu_for_each_sub_entry`), and for each symbol the choice menu `sym_get_choice_menu` finds:
 * the first of its menu entries with a prompt, walked up to the nearest entry with a symbol.
 */
export function prepareMenuChoices(root: MenuNode, symbols: SymbolTable): void {
  for (let m: MenuNode | null = root; m; m = nextMenu(m, null)) {
    const sym = m.sym;
    if (!sym || !sym.isChoice) continue;
    const entries: KSymbol[] = [];
    for (let c = nextMenu(m, m); c; c = nextMenu(c, m)) if (c.sym) entries.push(c.sym);
    sym.choiceEntries = entries;
    sym.choicePriority = [...(sym.choiceProp()?.choiceMembers ?? [])];
  }
  for (const sym of symbols.created) {
    sym.choiceMenu = null;
    if (sym.isChoice) continue;
    let menu: MenuNode | null = null;
    for (const p of sym.props) {
      if (p.type === 'symbol' && p.menu.prompt) {
        menu = p.menu;
        break;
      }
    }
    if (!menu) continue;
    do menu = menu.parent;
    while (menu && !menu.sym);
    if (menu?.sym?.isChoice) sym.choiceMenu = menu;
  }
}

/** Depth-first successor of `menu` within `root`'s subtree (`menu_next`); null at the end. */
export function nextMenu(menu: MenuNode, root: MenuNode | null): MenuNode | null {
  if (menu.list) return menu.list;
  let m: MenuNode | null = menu;
  while (m && m !== root && !m.next) m = m.parent;
  if (!m || m === root) return null;
  return m.next;
}

/** Reset every choice's priority list to definition order (a fresh `conf` process). */
export function resetChoicePriorities(symbols: SymbolTable): void {
  for (const sym of symbols.created) {
    if (sym.choicePriority) sym.choicePriority = [...(sym.choiceProp()?.choiceMembers ?? [])];
  }
}
