/**
 * A parsed, finalized Kconfig tree as plain data (typed arrays and string lists) and back, so a
 * tree can be stored on disk (v8.serialize) and rebuilt without lexing or parsing. The rebuilt
 * object graph is identical in structure: same symbols in the same creation order, same
 * properties in the same order, same menu nodes, same expressions (shared ones stay shared, and
 * the leaf naming a symbol is one node per symbol).
 */
import type { SourceLocation } from '../findings/finding.js';
import type { MacroMessage } from './macro-preprocessor.js';
import { KSymbol, MenuNode, type CompareOp, type Expr, type Property, type PropertyType, type SymbolType } from './model.js';
import { SymbolTable } from './symbol-table.js';

/** Bump when the encoding changes. */
export const SNAPSHOT_FORMAT = 4;

export interface TreeParts {
  symbols: SymbolTable;
  rootMenu: MenuNode;
  modules: KSymbol;
  files: readonly string[];
  warnings: readonly string[];
  macroMessages: readonly MacroMessage[];
}

export interface TreeSnapshot {
  format: number;
  strings: string[];
  /** Per symbol (after y, m, n): kind (0 named, 1 constant, 2 choice), type, flags, name string id (-1 none). */
  symKind: Uint8Array;
  symType: Uint8Array;
  symFlags: Int32Array;
  symName: Int32Array;
  /** dirDep, revDep, implied expression ids (-1 none), 3 per symbol. */
  symDeps: Int32Array;
  /** Property ids of each symbol: symPropStart[i]..symPropStart[i+1] in symProps. */
  symPropStart: Int32Array;
  symProps: Int32Array;
  /** The table's iteration order (`SymbolTable.all()`), as indices into its creation order. */
  symOrder: Int32Array;
  /** The hash size that order was computed with (the dialect's; see dialect.ts). */
  hashSize: number;
  /** Expressions, children first: kind, a, b, op (4 per expression). */
  exprs: Int32Array;
  /** Per property: type, expr, visibleExpr, menu, text string id (-1 none), rangeLow, rangeHigh, where file, line, col. */
  props: Int32Array;
  /** Choice members: [propId, count, ...symbolIds]... */
  choiceMembers: Int32Array;
  /** Per menu: sym, parent, list, next, prompt, dep, visibility, help string id, kind, where file, line, col. */
  menus: Int32Array;
  modules: number;
  files: string[];
  warnings: string[];
  macroMessages: MacroMessage[];
}

const TYPES: SymbolType[] = ['unknown', 'bool', 'tristate', 'int', 'hex', 'string'];
const PROP_TYPES: PropertyType[] = ['symbol', 'prompt', 'menu', 'comment', 'default', 'select', 'imply', 'range', 'choice'];
const MENU_KINDS: MenuNode['kind'][] = ['root', 'menu', 'if', 'comment', 'config', 'menuconfig', 'choice'];
const OPS: CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];
const E_SYMBOL = 0;
const E_AND = 1;
const E_OR = 2;
const E_NOT = 3;
const E_COMPARE = 4;
const PROP_WIDTH = 10;
const MENU_WIDTH = 12;
/** Symbol ids: 0 y, 1 m, 2 n, then the table's symbols in creation order. */
const FIXED = 3;

class IntList {
  private a = new Int32Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = x;
  }
  pushAll(v: readonly number[]): void {
    for (let i = 0; i < v.length; i++) this.push(v[i]!);
  }
  done(): Int32Array {
    return this.a.slice(0, this.length);
  }
}

/** Encode a finalized tree (evaluation state is not kept: the evaluator resets it anyway). */
export function encodeTree(t: TreeParts): TreeSnapshot {
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  // prompts and help texts are mostly unique and long: stored as they come, without hashing
  const text = (s: string | null | undefined): number => {
    if (s === null || s === undefined) return -1;
    strings.push(s);
    return strings.length - 1;
  };
  const str = (s: string | null | undefined): number => {
    if (s === null || s === undefined) return -1;
    let id = stringIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };
  const list = t.symbols.created;
  const symIds = new Map<KSymbol, number>([
    [t.symbols.yes, 0],
    [t.symbols.mod, 1],
    [t.symbols.no, 2],
  ]);
  list.forEach((s, i) => symIds.set(s, FIXED + i));
  const sym = (s: KSymbol | null | undefined): number => {
    if (!s) return -1;
    const id = symIds.get(s);
    if (id === undefined) throw new Error(`tree snapshot: symbol ${s.name ?? '<choice>'} is not in the table`);
    return id;
  };

  const exprs = new IntList();
  const exprIds = new Map<Expr, number>();
  // one node per referenced symbol: expressions are never mutated nor compared by identity, and
  // the parser makes a fresh node for each mention (about half of all nodes)
  const symExprIds = new Map<KSymbol, number>();
  const expr = (e: Expr | null | undefined): number => {
    if (!e) return -1;
    const known = exprIds.get(e);
    if (known !== undefined) return known;
    if (e.kind === 'symbol') {
      const shared = symExprIds.get(e.sym);
      if (shared !== undefined) {
        exprIds.set(e, shared);
        return shared;
      }
    }
    let rec: [number, number, number, number];
    switch (e.kind) {
      case 'symbol':
        rec = [E_SYMBOL, sym(e.sym), -1, 0];
        break;
      case 'and':
      case 'or':
        rec = [e.kind === 'and' ? E_AND : E_OR, expr(e.left), expr(e.right), 0];
        break;
      case 'not':
        rec = [E_NOT, expr(e.operand), -1, 0];
        break;
      case 'compare':
        rec = [E_COMPARE, sym(e.left), sym(e.right), OPS.indexOf(e.op)];
        break;
    }
    const id = exprs.length / 4;
    exprs.pushAll(rec);
    exprIds.set(e, id);
    if (e.kind === 'symbol') symExprIds.set(e.sym, id);
    return id;
  };

  // every menu node: reachable from the root, or owning a property
  const menuIds = new Map<MenuNode, number>();
  const menuList: MenuNode[] = [];
  const addMenu = (m: MenuNode | null): void => {
    const stack: MenuNode[] = m ? [m] : [];
    while (stack.length) {
      const n = stack.pop()!;
      if (menuIds.has(n)) continue;
      menuIds.set(n, menuList.length);
      menuList.push(n);
      if (n.next) stack.push(n.next);
      if (n.list) stack.push(n.list);
      if (n.parent) stack.push(n.parent);
    }
  };
  addMenu(t.rootMenu);
  const propIds = new Map<Property, number>();
  const propList: Property[] = [];
  const addProp = (p: Property | null): void => {
    if (!p || propIds.has(p)) return;
    propIds.set(p, propList.length);
    propList.push(p);
    addMenu(p.menu);
  };
  for (const s of list) for (const p of s.props) addProp(p);
  for (let i = 0; i < menuList.length; i++) addProp(menuList[i]!.prompt);

  const symKind = new Uint8Array(list.length);
  const symType = new Uint8Array(list.length);
  const symFlags = new Int32Array(list.length);
  const symName = new Int32Array(list.length);
  const symDeps = new Int32Array(list.length * 3);
  const symPropStart = new Int32Array(list.length + 1);
  const symProps = new IntList();
  list.forEach((s, i) => {
    symKind[i] = s.flags & 0x0010 ? 2 : t.symbols.isConstant(s) ? 1 : 0;
    symType[i] = TYPES.indexOf(s.type);
    symFlags[i] = s.flags;
    symName[i] = str(s.name);
    symDeps[i * 3] = expr(s.dirDep);
    symDeps[i * 3 + 1] = expr(s.revDep);
    symDeps[i * 3 + 2] = expr(s.implied);
    symPropStart[i] = symProps.length;
    for (const p of s.props) symProps.push(propIds.get(p)!);
  });
  symPropStart[list.length] = symProps.length;
  const creation = new Map<KSymbol, number>(list.map((s, i) => [s, i]));
  const symOrder = Int32Array.from(t.symbols.all(), (s) => creation.get(s)!);

  const where = (w: SourceLocation): [number, number, number] => [str(w.file), w.line, w.col];
  const props = new IntList();
  const choiceMembers = new IntList();
  propList.forEach((p, i) => {
    props.pushAll([
      PROP_TYPES.indexOf(p.type),
      expr(p.expr),
      expr(p.visibleExpr),
      menuIds.get(p.menu)!,
      text(p.text),
      sym(p.rangeLow),
      sym(p.rangeHigh),
      ...where(p.where),
    ]);
    if (p.choiceMembers) choiceMembers.pushAll([i, p.choiceMembers.length, ...p.choiceMembers.map(sym)]);
  });
  const menus = new IntList();
  for (const m of menuList) {
    const id = (n: MenuNode | null): number => (n ? menuIds.get(n)! : -1);
    menus.pushAll([
      sym(m.sym),
      id(m.parent),
      id(m.list),
      id(m.next),
      m.prompt ? propIds.get(m.prompt)! : -1,
      expr(m.dep),
      expr(m.visibility),
      text(m.help),
      MENU_KINDS.indexOf(m.kind),
      ...where(m.where),
    ]);
  }
  return {
    format: SNAPSHOT_FORMAT,
    strings,
    symKind,
    symType,
    symFlags,
    symName,
    symDeps,
    symPropStart,
    symProps: symProps.done(),
    symOrder,
    hashSize: t.symbols.hashSize,
    exprs: exprs.done(),
    props: props.done(),
    choiceMembers: choiceMembers.done(),
    menus: menus.done(),
    modules: sym(t.modules),
    files: [...t.files],
    warnings: [...t.warnings],
    macroMessages: t.macroMessages.map((m) => ({ ...m })),
  };
}

/** Rebuild the object graph `encodeTree` stored. */
export function decodeTree(d: TreeSnapshot): TreeParts {
  if (d.format !== SNAPSHOT_FORMAT) throw new Error(`tree snapshot: format ${d.format}, expected ${SNAPSHOT_FORMAT}`);
  const s = d.strings;
  const table = new SymbolTable();
  const syms: KSymbol[] = [table.yes, table.mod, table.no];
  const n = d.symKind.length;
  for (let i = 0; i < n; i++) {
    const name = d.symName[i]! < 0 ? null : s[d.symName[i]!]!;
    const sym = table.restoreSymbol(name, d.symKind[i] === 0 ? 'named' : d.symKind[i] === 1 ? 'constant' : 'choice', d.symFlags[i]!);
    sym.type = TYPES[d.symType[i]!]!;
    syms.push(sym);
  }
  // the order is only valid for the hash size it was computed with; setting that size after the
  // order would throw it away and re-sort every symbol (~60 ms on 6.12, whose size is not the default)
  table.hashSize = d.hashSize;
  table.restoreOrder(d.symOrder);
  const ex = d.exprs;
  const exprs: Expr[] = new Array<Expr>(ex.length / 4);
  for (let i = 0, j = 0; j < ex.length; i++, j += 4) {
    const a = ex[j + 1]!;
    const b = ex[j + 2]!;
    switch (ex[j]) {
      case E_SYMBOL:
        exprs[i] = { kind: 'symbol', sym: syms[a]! };
        break;
      case E_AND:
        exprs[i] = { kind: 'and', left: exprs[a]!, right: exprs[b]! };
        break;
      case E_OR:
        exprs[i] = { kind: 'or', left: exprs[a]!, right: exprs[b]! };
        break;
      case E_NOT:
        exprs[i] = { kind: 'not', operand: exprs[a]! };
        break;
      default:
        exprs[i] = { kind: 'compare', op: OPS[ex[j + 3]!]!, left: syms[a]!, right: syms[b]! };
    }
  }
  const e = (id: number): Expr | null => (id < 0 ? null : exprs[id]!);
  const m = d.menus;
  const menuCount = m.length / MENU_WIDTH;
  const menus: MenuNode[] = new Array<MenuNode>(menuCount);
  for (let i = 0, j = 0; i < menuCount; i++, j += MENU_WIDTH) {
    const symId = m[j]!;
    menus[i] = new MenuNode(
      symId < 0 ? null : syms[symId]!,
      null,
      { file: s[m[j + 9]!]!, line: m[j + 10]!, col: m[j + 11]! },
      MENU_KINDS[m[j + 8]!]!,
    );
  }
  const p = d.props;
  const propCount = p.length / PROP_WIDTH;
  const props: Property[] = new Array<Property>(propCount);
  for (let i = 0, j = 0; i < propCount; i++, j += PROP_WIDTH) {
    // every property gets the same fields (absent ones undefined): one object shape keeps the
    // evaluator's property reads monomorphic
    props[i] = {
      type: PROP_TYPES[p[j]!]!,
      expr: e(p[j + 1]!),
      visibleExpr: e(p[j + 2]!),
      visibleTri: 0,
      menu: menus[p[j + 3]!]!,
      where: { file: s[p[j + 7]!]!, line: p[j + 8]!, col: p[j + 9]! },
      text: p[j + 4]! >= 0 ? s[p[j + 4]!]! : undefined,
      rangeLow: p[j + 5]! >= 0 ? syms[p[j + 5]!]! : undefined,
      rangeHigh: p[j + 6]! >= 0 ? syms[p[j + 6]!]! : undefined,
      choiceMembers: undefined,
    };
  }
  const cm = d.choiceMembers;
  for (let j = 0; j < cm.length;) {
    const count = cm[j + 1]!;
    props[cm[j]!]!.choiceMembers = Array.from(cm.subarray(j + 2, j + 2 + count), (id) => syms[id]!);
    j += 2 + count;
  }
  for (let i = 0, j = 0; i < menuCount; i++, j += MENU_WIDTH) {
    const menu = menus[i]!;
    const link = (id: number): MenuNode | null => (id < 0 ? null : menus[id]!);
    menu.parent = link(m[j + 1]!);
    menu.list = link(m[j + 2]!);
    menu.next = link(m[j + 3]!);
    if (m[j + 4]! >= 0) menu.prompt = props[m[j + 4]!]!;
    menu.dep = e(m[j + 5]!);
    menu.visibility = e(m[j + 6]!);
    if (m[j + 7]! >= 0) menu.help = s[m[j + 7]!]!;
  }
  for (let i = 0; i < n; i++) {
    const sym = syms[FIXED + i]!;
    sym.dirDep = e(d.symDeps[i * 3]!);
    sym.revDep = e(d.symDeps[i * 3 + 1]!);
    sym.implied = e(d.symDeps[i * 3 + 2]!);
    for (let k = d.symPropStart[i]!; k < d.symPropStart[i + 1]!; k++) sym.props.push(props[d.symProps[k]!]!);
  }
  return {
    symbols: table,
    rootMenu: menus[0]!,
    modules: syms[d.modules]!,
    files: d.files,
    warnings: d.warnings,
    macroMessages: d.macroMessages,
  };
}
