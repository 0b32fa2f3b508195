/**
 * The in-memory model of a parsed Kconfig tree: symbols, properties, expressions and menu nodes.
 * Field names follow the Kconfig language documentation; evaluation state lives on the symbols
 * and is reset by the evaluator before each resolve.
 */
import type { SourceLocation } from '../findings/finding.js';

/** n = 0, m = 1, y = 2 (so AND is min, OR is max, NOT is 2 - x). */
export type Tristate = 0 | 1 | 2;
export const NO: Tristate = 0;
export const MOD: Tristate = 1;
export const YES: Tristate = 2;

export type SymbolType = 'unknown' | 'bool' | 'tristate' | 'int' | 'hex' | 'string';

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { kind: 'symbol'; sym: KSymbol }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; operand: Expr }
  | { kind: 'compare'; op: CompareOp; left: KSymbol; right: KSymbol };

export type PropertyType = 'symbol' | 'prompt' | 'menu' | 'comment' | 'default' | 'select' | 'imply' | 'range' | 'choice';

export interface Property {
  type: PropertyType;
  /** default value / selected symbol / range bounds (compare '<=' node unused: use rangeLow/High). */
  expr: Expr | null;
  /** Condition (`if ...`), after menu finalization including the entry's dependencies. */
  visibleExpr: Expr | null;
  /** Last computed value of visibleExpr. */
  visibleTri: Tristate;
  menu: MenuNode;
  /** Prompt text for prompt/menu/comment. */
  text?: string;
  /** Range bounds. */
  rangeLow?: KSymbol;
  rangeHigh?: KSymbol;
  /** Choice members, for the choice symbol's own 'choice' property. */
  choiceMembers?: KSymbol[];
  where: SourceLocation;
}

/** Symbol flags, bit for bit the meanings the reference implementation uses. */
export const F_CONST = 0x0001;
export const F_CHOICE = 0x0010;
export const F_CHOICEVAL = 0x0020;
export const F_VALID = 0x0080;
export const F_OPTIONAL = 0x0100;
export const F_WRITE = 0x0200;
export const F_WRITTEN = 0x0800;
export const F_NO_WRITE = 0x1000;
export const F_DEF_USER = 0x10000;

/** The value a symbol currently has: `val` is a string, or for a choice the selected member. */
export interface SymbolValue {
  tri: Tristate;
  val: string | KSymbol | null;
}

export class KSymbol {
  type: SymbolType = 'unknown';
  flags: number;
  readonly props: Property[] = [];
  /** OR of the dependencies of every definition. */
  dirDep: Expr | null = null;
  /** OR of `selector && condition` over every select of this symbol. */
  revDep: Expr | null = null;
  /** OR of `implier && condition` over every imply of this symbol. */
  implied: Expr | null = null;
  /** Creation index: with the name hash it reproduces the reference iteration order. */
  readonly serial: number;

  // evaluation state
  curr: SymbolValue = { tri: NO, val: null };
  visible: Tristate = NO;
  dirDepTri: Tristate = NO;
  revDepTri: Tristate = NO;
  impliedTri: Tristate = NO;
  userTri: Tristate = NO;
  userVal: string | KSymbol | null = null;
  /** Where the user value came from (index into the assignment list), for explanations. */
  userSource = -1;

  // choices of the 6.11+ dialect (derived after parsing or decoding; see choice-menus.ts)
  /** For a member: the choice menu `sym_get_choice_menu` finds (first prompt's nearest symbol parent). */
  choiceMenu: MenuNode | null = null;
  /** For a choice: every symbol entry below the choice menu, depth first (`menu_for_each_sub_entry`). */
  choiceEntries: KSymbol[] | null = null;
  /** For a choice: members in priority order (definition order, then each member read moves first). */
  choicePriority: KSymbol[] | null = null;

  constructor(
    readonly name: string | null,
    flags: number,
    serial: number,
  ) {
    this.flags = flags;
    this.serial = serial;
  }

  get isChoice(): boolean {
    return (this.flags & F_CHOICE) !== 0;
  }
  get isChoiceValue(): boolean {
    return (this.flags & F_CHOICEVAL) !== 0;
  }
  get hasUserValue(): boolean {
    return (this.flags & F_DEF_USER) !== 0;
  }
  /** The choice property (for a choice: its own, listing members; for a member: pointing at the choice). */
  choiceProp(): Property | undefined {
    for (const p of this.props) if (p.type === 'choice') return p;
    return undefined;
  }
  /** For a choice member: the choice symbol. */
  choiceOf(): KSymbol | undefined {
    if (this.choiceMenu) return this.choiceMenu.sym ?? undefined;
    const p = this.choiceProp();
    return p?.expr?.kind === 'symbol' ? p.expr.sym : undefined;
  }
  /** Every menu node that defines this symbol (one per `config` entry). */
  definitions(): MenuNode[] {
    return this.props.filter((p) => p.type === 'symbol').map((p) => p.menu);
  }
}

export class MenuNode {
  prompt: Property | null = null;
  /** Dependencies; after finalization, includes every enclosing menu/if/choice dependency. */
  dep: Expr | null = null;
  /** `visible if` of a menu. */
  visibility: Expr | null = null;
  parent: MenuNode | null;
  list: MenuNode | null = null;
  next: MenuNode | null = null;
  help?: string;
  /** 'menu' | 'if' | 'comment' | 'config' | 'menuconfig' | 'choice' | 'root' */
  constructor(
    readonly sym: KSymbol | null,
    parent: MenuNode | null,
    readonly where: SourceLocation,
    readonly kind: 'root' | 'menu' | 'if' | 'comment' | 'config' | 'menuconfig' | 'choice',
  ) {
    this.parent = parent;
  }
}

export function symbolExpr(sym: KSymbol): Expr {
  return { kind: 'symbol', sym };
}

export function andExpr(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'and', left: a, right: b };
}

export function orExpr(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'or', left: a, right: b };
}
