import { quoteConfigString } from './config-file.js';
import type { KconfigEvaluator } from './evaluator.js';
import { F_CHOICE, F_WRITE, F_WRITTEN, type KSymbol, type MenuNode } from './model.js';

/**
 * Render the .config as the reference tool writes it: the heading, then a walk of the menu tree
 * printing each written symbol once, `#\n# Title\n#` for visible menus and comments, and
 * `# end of Title` after visible menus. `writtenOut` receives the written symbols in order.
 */
export function writeConfig(ev: KconfigEvaluator, root: MenuNode, writtenOut?: KSymbol[]): string {
  const out: string[] = [];
  out.push('#\n# Automatically generated file; DO NOT EDIT.\n', `# ${root.prompt?.text ?? 'Main menu'}\n#\n`);
  const written: KSymbol[] = [];
  let needNewline = false;
  let menu: MenuNode | null = root.list;
  while (menu) {
    const sym = menu.sym;
    if (!sym) {
      if (ev.menuIsVisible(menu)) {
        out.push(`\n#\n# ${menu.prompt!.text}\n#\n`);
        needNewline = false;
      }
    } else if (!(sym.flags & F_CHOICE) && !(sym.flags & F_WRITTEN)) {
      ev.calcValue(sym);
      if (sym.flags & F_WRITE) {
        if (needNewline) {
          out.push('\n');
          needNewline = false;
        }
        sym.flags |= F_WRITTEN;
        written.push(sym);
        const line = symbolLine(ev, sym);
        if (line) out.push(line);
      }
    }
    if (menu.list) {
      menu = menu.list;
      continue;
    }
    let m: MenuNode | null = menu;
    menu = null;
    while (m) {
      if (!m.sym && m.parent && m.prompt?.type === 'menu' && ev.menuIsVisible(m)) {
        out.push(`# end of ${m.prompt.text}\n`);
        needNewline = true;
      }
      if (m.next) {
        menu = m.next;
        break;
      }
      m = m.parent;
    }
  }
  for (const s of written) s.flags &= ~F_WRITTEN;
  if (writtenOut) writtenOut.push(...written);
  return out.join('');
}

function symbolLine(ev: KconfigEvaluator, sym: KSymbol): string {
  if (sym.type === 'unknown') return '';
  const val = ev.stringValue(sym);
  if ((sym.type === 'bool' || sym.type === 'tristate') && val === 'n') return `# CONFIG_${sym.name} is not set\n`;
  return `CONFIG_${sym.name}=${sym.type === 'string' ? quoteConfigString(val) : val}\n`;
}
