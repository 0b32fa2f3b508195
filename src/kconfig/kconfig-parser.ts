import { LEGACY_DIALECT, type KconfigDialect } from './dialect.js';
import { KconfigError } from './kconfig-error.js';
import { KconfigLexer, type Token, type TokenType } from './kconfig-lexer.js';
import type { MacroPreprocessor } from './macro-preprocessor.js';
import {
  andExpr,
  F_CHOICEVAL,
  F_NO_WRITE,
  F_OPTIONAL,
  KSymbol,
  MenuNode,
  symbolExpr,
  type CompareOp,
  type Expr,
  type Property,
  type PropertyType,
  type SymbolType,
} from './model.js';
import { SymbolTable } from './symbol-table.js';

/** Reads a Kconfig file by its path relative to the tree top; undefined when missing. */
export type KconfigFileReader = (relPath: string) => string | undefined;

export interface ParsedKconfig {
  symbols: SymbolTable;
  root: MenuNode;
  /** The symbol carrying the `modules` attribute (the `n` constant when none does). */
  modules: KSymbol;
  /** Files read, in order. */
  files: string[];
  warnings: string[];
}

const TYPE_TOKENS: Partial<Record<TokenType, SymbolType>> = {
  bool: 'bool',
  tristate: 'tristate',
  int: 'int',
  hex: 'hex',
  string: 'string',
};

const COMPARE_TOKENS = new Set<TokenType>(['=', '!=', '<', '<=', '>', '>=']);

/**
 * Parse a Kconfig tree starting at `top` (normally `Kconfig`), following `source` statements, into
 * menu nodes and symbols with their properties (before finalization).
 */
export function parseKconfig(
  top: string,
  read: KconfigFileReader,
  pp: MacroPreprocessor,
  dialect: KconfigDialect = LEGACY_DIALECT,
): ParsedKconfig {
  return new KconfigParser(read, pp, dialect).parseTree(top);
}

class KconfigParser {
  private readonly symbols = new SymbolTable();
  private readonly root: MenuNode;
  private currentMenu: MenuNode;
  private currentEntry: MenuNode;
  private readonly tails = new Map<MenuNode, MenuNode>();
  private modules: KSymbol | undefined;
  private readonly files: string[] = [];
  private readonly warnings: string[] = [];
  private readonly includeStack: string[] = [];
  private lexer!: KconfigLexer;
  private pending: Token | null = null;
  /** Line of the first token of the current statement. */
  private stmtLine = 0;
  /** The choice being parsed (6.11+ dialect: its config entries become members). */
  private currentChoice: MenuNode | null = null;

  constructor(
    private readonly read: KconfigFileReader,
    private readonly pp: MacroPreprocessor,
    private readonly dialect: KconfigDialect,
  ) {
    this.symbols.hashSize = dialect.hashSize;
    this.root = new MenuNode(null, null, { file: 'Kconfig', line: 0, col: 0 }, 'root');
    this.currentMenu = this.root;
    this.currentEntry = this.root;
  }

  parseTree(top: string): ParsedKconfig {
    this.root.where.file = top;
    this.parseFile(top, undefined);
    if (!this.root.prompt) {
      this.currentEntry = this.root;
      this.addPrompt('menu', 'Main menu', null);
    }
    return {
      symbols: this.symbols,
      root: this.root,
      modules: this.modules ?? this.symbols.no,
      files: this.files,
      warnings: this.warnings,
    };
  }

  // ---- file and token plumbing -------------------------------------------------------------

  private parseFile(file: string, from: { file: string; line: number } | undefined): void {
    if (this.includeStack.includes(file)) {
      throw new KconfigError(`recursive inclusion of "${file}" (included from ${this.includeStack.join(' <- ')})`, {
        file: from?.file ?? file,
        line: from?.line ?? 0,
        col: 0,
      });
    }
    const text = this.read(file);
    if (text === undefined) {
      throw new KconfigError(`can't open file "${file}"`, { file: from?.file ?? file, line: from?.line ?? 0, col: 0 });
    }
    this.files.push(file);
    const savedLexer = this.lexer;
    const savedLook = this.pending;
    this.includeStack.push(file);
    this.lexer = new KconfigLexer(text, file, this.pp, this.dialect.keywords, this.dialect.unsupportedKeywords);
    this.pending = null;
    this.parseStatements(new Set(), false);
    if (this.look.type !== 'EOF') this.error(`unexpected ${describe(this.look)}`);
    this.warnings.push(...this.lexer.warnings);
    this.includeStack.pop();
    this.lexer = savedLexer;
    this.pending = savedLook;
  }

  /**
   * The next token, lexed on demand: nothing after a statement's end of line is read (and no
   * macro in it expanded) before the statement's action ran, as with the reference parser.
   */
  private get look(): Token {
    return (this.pending ??= this.lexer.next());
  }

  private advance(): Token {
    const t = this.look;
    this.pending = null;
    return t;
  }

  private error(message: string, line = this.pending?.line ?? this.lexer.line): never {
    throw new KconfigError(message, { file: this.lexer.file, line, col: 0 });
  }

  private expect(type: TokenType, what?: string): Token {
    if (this.look.type !== type) this.error(`expected ${what ?? type}, found ${describe(this.look)}`);
    return this.advance();
  }

  private expectEol(): void {
    if (this.look.type === 'EOF') return;
    this.expect('EOL', 'end of line');
  }

  private where(line = this.stmtLine) {
    return { file: this.lexer?.file ?? this.root.where.file, line, col: 0 };
  }

  // ---- menu building (the reference tool's menu_add_* semantics) ----------------------------

  private addEntry(sym: KSymbol | null, kind: MenuNode['kind']): MenuNode {
    const node = new MenuNode(sym, this.currentMenu, this.where(), kind);
    const tail = this.tails.get(this.currentMenu);
    if (tail) tail.next = node;
    else this.currentMenu.list = node;
    this.tails.set(this.currentMenu, node);
    this.currentEntry = node;
    if (sym) this.addProp('symbol', symbolExpr(sym), null);
    return node;
  }

  private enterMenu(): void {
    this.currentMenu = this.currentEntry;
  }

  private leaveMenu(): void {
    this.currentMenu = this.currentMenu.parent ?? this.root;
  }

  private addProp(type: PropertyType, expr: Expr | null, dep: Expr | null): Property {
    const prop: Property = {
      type,
      expr,
      visibleExpr: dep,
      visibleTri: 0,
      menu: this.currentEntry,
      where: this.where(),
    };
    this.currentEntry.sym?.props.push(prop);
    return prop;
  }

  private addPrompt(type: 'prompt' | 'menu' | 'comment', text: string, dep: Expr | null): Property {
    const prop = this.addProp(type, null, dep);
    const trimmed = text.replace(/^\s+/, '');
    if (trimmed !== text) this.warnings.push(`${this.lexer?.file}:${this.stmtLine}:warning: leading whitespace ignored`);
    if (type === 'prompt') {
      for (let m = this.currentEntry.parent; m; m = m.parent) {
        if (m.visibility) prop.visibleExpr = andExpr(prop.visibleExpr, m.visibility);
      }
    }
    if (this.currentEntry.prompt) this.warnings.push(`${this.lexer?.file}:${this.stmtLine}:warning: prompt redefined`);
    this.currentEntry.prompt = prop;
    prop.text = trimmed;
    return prop;
  }

  private setType(type: SymbolType): void {
    const sym = this.currentEntry.sym;
    if (!sym || sym.type === type) return;
    if (sym.type === 'unknown') {
      sym.type = type;
      return;
    }
    this.warnings.push(
      `${this.lexer.file}:${this.stmtLine}:warning: ignoring type redefinition of '${sym.name ?? '<choice>'}' from '${sym.type}' to '${type}'`,
    );
  }

  private addDep(dep: Expr): void {
    this.currentEntry.dep = andExpr(this.currentEntry.dep, dep);
  }

  // ---- statements ---------------------------------------------------------------------------

  /** Parse statements until a token in `ends` (left for the caller) or EOF. */
  private parseStatements(ends: Set<TokenType>, inChoice: boolean): void {
    for (;;) {
      const t = this.look;
      if (t.type === 'EOF' || ends.has(t.type)) return;
      this.stmtLine = t.line;
      switch (t.type) {
        case 'EOL':
          this.advance();
          break;
        case 'config':
        case 'menuconfig':
          if (inChoice && t.type === 'menuconfig') this.error('menuconfig is not allowed inside a choice');
          this.parseConfig(t.type);
          break;
        case 'comment':
          this.parseComment();
          break;
        case 'if':
          this.parseIf(inChoice);
          break;
        case 'choice':
          if (inChoice) this.error('invalid statement');
          this.parseChoice();
          break;
        case 'menu':
          if (inChoice) this.error('invalid statement');
          this.parseMenu();
          break;
        case 'source':
          if (inChoice) this.error('invalid statement');
          this.parseSource();
          break;
        case 'mainmenu':
          this.parseMainmenu();
          break;
        case 'WORD':
          if (inChoice) this.error('invalid statement');
          this.parseWordStatement();
          break;
        default:
          this.error(
            t.type === 'endmenu' || t.type === 'endif' || t.type === 'endchoice'
              ? `unexpected '${t.type}'`
              : `invalid statement (${describe(t)})`,
          );
      }
    }
  }

  private parseWordStatement(): void {
    const word = this.advance();
    const op = this.look.type;
    if (op === '=' || op === ':=' || op === '+=') {
      this.advance();
      let value = '';
      if (this.look.type === 'ASSIGN_VAL') value = this.advance().value;
      this.expectEol();
      this.pp.file = this.lexer.file;
      this.pp.line = word.line;
      this.pp.addVariable(word.value, value, op === '=' ? 'recursive' : op === ':=' ? 'simple' : 'append');
      return;
    }
    // legacy spellings of source used by older trees
    if (/^(rsource|osource|orsource)$/.test(word.value) && this.look.type === 'STRING') {
      this.parseSourceArgs(word.value);
      return;
    }
    this.error(`unknown statement "${word.value}"`, word.line);
  }

  private parseMainmenu(): void {
    this.advance();
    const text = this.expect('STRING', 'a quoted prompt').value;
    this.expectEol();
    const saved = this.currentEntry;
    this.currentEntry = this.root;
    this.addPrompt('menu', text, null);
    this.currentEntry = saved;
  }

  private parseSource(): void {
    this.advance();
    this.parseSourceArgs('source');
  }

  private parseSourceArgs(kind: string): void {
    const line = this.stmtLine;
    let name = this.pp.concrete(this.expect('STRING', 'a quoted file name').value);
    this.expectEol();
    if (kind === 'rsource' || kind === 'orsource') {
      const dir = this.lexer.file.includes('/') ? this.lexer.file.slice(0, this.lexer.file.lastIndexOf('/')) : '';
      name = dir ? `${dir}/${name}` : name;
    }
    if (kind.startsWith('o') && this.read(name) === undefined) return;
    this.parseFile(name, { file: this.lexer.file, line });
  }

  private symbolName(): string {
    const t = this.look;
    if (t.type !== 'WORD') this.error(`expected a symbol name, found ${describe(t)}`);
    this.advance();
    return t.value;
  }

  private parseConfig(kind: 'config' | 'menuconfig'): void {
    this.advance();
    const sym = this.symbols.lookup(this.symbolName());
    if (sym === this.symbols.yes || sym === this.symbols.mod || sym === this.symbols.no) this.error(`invalid symbol name '${sym.name}'`);
    this.expectEol();
    sym.flags |= F_OPTIONAL;
    this.addEntry(sym, kind);
    this.parseConfigOptions(false);
    if (kind === 'menuconfig') {
      if (this.currentEntry.prompt) this.currentEntry.prompt.type = 'menu';
      else this.warnings.push(`${this.lexer.file}:${this.currentEntry.where.line}:warning: menuconfig statement without prompt`);
    }
    if (kind === 'config' && this.currentChoice && this.dialect.choices === 'menu') this.addChoiceMember(this.currentChoice);
  }

  /** 6.11+: a config entry inside a choice block joins the choice's member list (once). */
  private addChoiceMember(choice: MenuNode): void {
    const entry = this.currentEntry;
    const sym = entry.sym!;
    if (!entry.prompt) this.error('choice member must have a prompt', entry.where.line);
    if (sym.type !== 'bool') this.error('choice member must be bool', entry.where.line);
    if (sym.flags & F_CHOICEVAL) return;
    sym.flags |= F_CHOICEVAL;
    choice.sym!.choiceProp()!.choiceMembers!.push(sym);
  }

  /** Attributes of a config/menuconfig entry, or of a choice when `choice` is set. */
  private parseConfigOptions(choice: boolean): void {
    for (;;) {
      const t = this.look;
      this.stmtLine = t.line;
      if (t.type === 'EOL') {
        this.advance();
        continue;
      }
      const type = TYPE_TOKENS[t.type];
      if (type) {
        if (choice && type !== 'bool' && type !== 'tristate') this.error(`a choice must be bool or tristate`);
        if (choice && this.dialect.choices === 'menu' && type !== 'bool')
          this.error(`a choice must be bool in this kernel's Kconfig (tristate choices were removed in Linux 6.11)`);
        this.advance();
        if (choice && this.dialect.choices === 'menu' && this.look.type !== 'STRING')
          this.error(`expected a quoted prompt after 'bool' in a choice`);
        if (this.look.type === 'STRING') {
          const text = this.advance().value;
          this.addPrompt('prompt', text, this.ifExpr());
        }
        this.expectEol();
        this.setType(type);
        continue;
      }
      switch (t.type) {
        case 'prompt': {
          this.advance();
          const text = this.expect('STRING', 'a quoted prompt').value;
          this.addPrompt('prompt', text, this.ifExpr());
          this.expectEol();
          continue;
        }
        case 'default':
        case 'def_bool':
        case 'def_tristate': {
          if (choice && t.type !== 'default') this.error(`'${t.type}' is not allowed in a choice`);
          this.advance();
          const expr = choice ? symbolExpr(this.symbols.lookup(this.symbolName())) : this.expr();
          this.addProp('default', expr, this.ifExpr());
          this.expectEol();
          if (t.type === 'def_bool') this.setType('bool');
          if (t.type === 'def_tristate') this.setType('tristate');
          continue;
        }
        case 'select':
        case 'imply': {
          if (choice) this.error(`'${t.type}' is not allowed in a choice`);
          this.advance();
          const target = this.symbols.lookup(this.symbolName());
          this.addProp(t.type, symbolExpr(target), this.ifExpr());
          this.expectEol();
          continue;
        }
        case 'range': {
          if (choice) this.error(`'range' is not allowed in a choice`);
          this.advance();
          const low = this.symbol();
          const high = this.symbol();
          const prop = this.addProp('range', { kind: 'compare', op: '<=', left: low, right: high }, this.ifExpr());
          prop.rangeLow = low;
          prop.rangeHigh = high;
          this.expectEol();
          continue;
        }
        case 'modules': {
          if (choice) this.error(`'modules' is not allowed in a choice`);
          this.advance();
          this.expectEol();
          this.markModules();
          continue;
        }
        case 'optional': {
          if (!choice) this.error(`'optional' is only allowed in a choice`);
          this.advance();
          this.expectEol();
          this.currentEntry.sym!.flags |= F_OPTIONAL;
          continue;
        }
        case 'depends':
          this.parseDepends();
          continue;
        case 'help':
          this.parseHelp();
          continue;
        case 'WORD':
          if (t.value === '---help---') {
            this.parseHelp();
            continue;
          }
          if (t.value === 'option' && this.dialect.optionKeyword) {
            this.parseLegacyOption();
            continue;
          }
          return;
        default:
          return;
      }
    }
  }

  private markModules(): void {
    const sym = this.currentEntry.sym!;
    if (this.modules && this.modules !== sym) {
      this.error(`symbol '${sym.name}' redefines option 'modules' already defined by symbol '${this.modules.name}'`);
    }
    this.modules = sym;
  }

  /** `option modules` and friends, as written by kernels before 5.13. */
  private parseLegacyOption(): void {
    this.advance();
    const name = this.symbolName();
    if (name === 'modules') this.markModules();
    if (this.look.type === '=') {
      this.advance();
      const value: Token = this.look;
      if (value.type === 'STRING' || value.type === 'WORD') this.advance();
    }
    this.expectEol();
  }

  private parseDepends(): void {
    this.advance();
    this.expect('on', "'on'");
    this.addDep(this.expr());
    this.expectEol();
  }

  private parseHelp(): void {
    this.advance();
    if (this.look.type !== 'EOL' && this.look.type !== 'EOF') this.error(`unexpected ${describe(this.look)} after 'help'`);
    // The help text starts on the next line: read it raw instead of tokenizing the newline.
    this.currentEntry.help = this.lexer.readHelp();
    this.advance();
  }

  private ifExpr(): Expr | null {
    if (this.look.type !== 'if') return null;
    this.advance();
    return this.expr();
  }

  private parseChoice(): void {
    this.advance();
    const menuChoices = this.dialect.choices === 'menu';
    let name: string | null = null;
    if (this.look.type === 'WORD') {
      if (menuChoices) this.error(`a choice has no name in this kernel's Kconfig (named choices were removed in Linux 6.11)`);
      name = this.advance().value;
    }
    this.expectEol();
    const sym = this.symbols.choice(name);
    if (!menuChoices) sym.flags |= F_NO_WRITE;
    const node = this.addEntry(sym, 'choice');
    if (menuChoices) sym.type = 'bool';
    const own = this.addProp('choice', null, null);
    own.choiceMembers = [];
    this.parseConfigOptions(true);
    if (menuChoices && !node.prompt) this.error('choice must have a prompt', node.where.line);
    this.currentEntry = node;
    this.enterMenu();
    const outer = this.currentChoice;
    this.currentChoice = node;
    this.parseStatements(new Set(['endchoice', 'endif', 'endmenu']), true);
    this.currentChoice = outer;
    this.stmtLine = this.look.line;
    if (this.look.type !== 'endchoice')
      this.error(`expected 'endchoice' for the choice at line ${node.where.line}, found ${describe(this.look)}`);
    this.advance();
    this.expectEol();
    this.leaveMenu();
  }

  private parseComment(): void {
    this.advance();
    const text = this.expect('STRING', 'a quoted comment').value;
    this.expectEol();
    this.addEntry(null, 'comment');
    this.addPrompt('comment', text, null);
    for (;;) {
      if (this.look.type === 'EOL') this.advance();
      else if (this.look.type === 'depends') {
        this.stmtLine = this.look.line;
        this.parseDepends();
      } else break;
    }
  }

  private parseIf(inChoice: boolean): void {
    this.advance();
    const cond = this.expr();
    this.expectEol();
    const node = this.addEntry(null, 'if');
    this.addDep(cond);
    this.enterMenu();
    this.parseStatements(new Set(['endif', 'endmenu', 'endchoice']), inChoice);
    if (this.look.type !== 'endif') this.error(`expected 'endif' for the if at line ${node.where.line}, found ${describe(this.look)}`);
    this.advance();
    this.expectEol();
    this.leaveMenu();
  }

  private parseMenu(): void {
    this.advance();
    const text = this.expect('STRING', 'a quoted menu title').value;
    this.expectEol();
    const node = this.addEntry(null, 'menu');
    this.addPrompt('menu', text, null);
    for (;;) {
      this.stmtLine = this.look.line;
      if (this.look.type === 'EOL') this.advance();
      else if (this.look.type === 'depends') this.parseDepends();
      else if (this.look.type === 'visible') {
        this.advance();
        const cond = this.ifExpr();
        if (cond) this.currentEntry.visibility = andExpr(this.currentEntry.visibility, cond);
        this.expectEol();
      } else break;
    }
    this.currentEntry = node;
    this.enterMenu();
    this.parseStatements(new Set(['endmenu', 'endif', 'endchoice']), false);
    if (this.look.type !== 'endmenu')
      this.error(`expected 'endmenu' for the menu at line ${node.where.line}, found ${describe(this.look)}`);
    this.advance();
    this.expectEol();
    this.leaveMenu();
  }

  // ---- expressions ---------------------------------------------------------------------------

  private symbol(): KSymbol {
    const t = this.look;
    if (t.type === 'WORD') {
      this.advance();
      return this.symbols.lookup(t.value);
    }
    if (t.type === 'STRING') {
      this.advance();
      return this.symbols.constant(t.value);
    }
    return this.error(`expected a symbol, found ${describe(t)}`);
  }

  private expr(): Expr {
    let left = this.andExpr();
    while (this.look.type === '||') {
      this.advance();
      left = { kind: 'or', left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): Expr {
    let left = this.unaryExpr();
    while (this.look.type === '&&') {
      this.advance();
      left = { kind: 'and', left, right: this.unaryExpr() };
    }
    return left;
  }

  private unaryExpr(): Expr {
    const t = this.look;
    if (t.type === '!') {
      this.advance();
      return { kind: 'not', operand: this.unaryExpr() };
    }
    if (t.type === '(') {
      this.advance();
      const e = this.expr();
      this.expect(')', "')'");
      return e;
    }
    const left = this.symbol();
    if (COMPARE_TOKENS.has(this.look.type)) {
      const op = this.advance().type as CompareOp;
      return { kind: 'compare', op, left, right: this.symbol() };
    }
    return symbolExpr(left);
  }
}

function describe(t: Token): string {
  if (t.type === 'WORD') return `'${t.value}'`;
  if (t.type === 'STRING') return `"${t.value}"`;
  if (t.type === 'EOL') return 'end of line';
  if (t.type === 'EOF') return 'end of file';
  return `'${t.type}'`;
}
