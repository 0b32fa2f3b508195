import { KconfigError } from './kconfig-error.js';
import type { MacroPreprocessor } from './macro-preprocessor.js';

export type TokenType =
  | 'EOL'
  | 'WORD'
  | 'STRING'
  | 'ASSIGN_VAL'
  | 'EOF'
  | 'bool'
  | 'choice'
  | 'comment'
  | 'config'
  | 'def_bool'
  | 'def_tristate'
  | 'default'
  | 'depends'
  | 'endchoice'
  | 'endif'
  | 'endmenu'
  | 'help'
  | 'hex'
  | 'if'
  | 'imply'
  | 'int'
  | 'mainmenu'
  | 'menu'
  | 'menuconfig'
  | 'modules'
  | 'on'
  | 'optional'
  | 'prompt'
  | 'range'
  | 'select'
  | 'source'
  | 'string'
  | 'tristate'
  | 'visible'
  | '||'
  | '&&'
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '!'
  | '('
  | ')'
  | ':='
  | '+=';

export interface Token {
  type: TokenType;
  value: string;
  line: number;
}

/** The keywords the lexer knows by default (a tree's dialect may narrow them: src/kconfig/dialect.ts). */
export const KEYWORDS: ReadonlySet<string> = new Set<string>([
  'bool',
  'choice',
  'comment',
  'config',
  'def_bool',
  'def_tristate',
  'default',
  'depends',
  'endchoice',
  'endif',
  'endmenu',
  'help',
  'hex',
  'if',
  'imply',
  'int',
  'mainmenu',
  'menu',
  'menuconfig',
  'modules',
  'on',
  'optional',
  'prompt',
  'range',
  'select',
  'source',
  'string',
  'tristate',
  'visible',
]);

const NO_WORDS: ReadonlySet<string> = new Set();

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 45;
}

/**
 * Tokens of one Kconfig file, following the reference lexer: `#` comments, `\` line continuation,
 * quoted strings with macro expansion, words that contain `$(...)` expanded (an empty expansion is
 * no token), `NAME = value` assignments taken raw, and indentation-delimited help text.
 */
export class KconfigLexer {
  private p = 0;
  line = 1;
  private prev: TokenType = 'EOL';
  private prevPrev: TokenType = 'EOL';
  private assignMode = false;
  readonly warnings: string[] = [];

  constructor(
    private readonly text: string,
    readonly file: string,
    private readonly pp: MacroPreprocessor,
    /** The tree's keywords (its dialect's lexer table); words outside it are plain words. */
    private readonly keywords: ReadonlySet<string> = KEYWORDS,
    /** Keywords of the tree's lexer without semantics in this engine: using one is E_KCONFIG_DIALECT. */
    private readonly unsupported: ReadonlySet<string> = NO_WORDS,
  ) {}

  private lineEnd(from: number): number {
    const nl = this.text.indexOf('\n', from);
    return nl < 0 ? this.text.length : nl;
  }

  private fail(message: string): never {
    throw new KconfigError(message, { file: this.file, line: this.line, col: 0 });
  }

  /** Next token; consecutive EOLs are collapsed as the reference lexer does. */
  next(): Token {
    for (;;) {
      const tok = this.raw();
      if (this.prev === 'EOL' && tok.type === 'EOL') continue;
      if (this.prevPrev === 'EOL' && this.prev === 'WORD' && (tok.type === '=' || tok.type === ':=' || tok.type === '+='))
        this.assignMode = true;
      this.prevPrev = this.prev;
      this.prev = tok.type;
      return tok;
    }
  }

  private tok(type: TokenType, value = ''): Token {
    return { type, value, line: this.line };
  }

  private raw(): Token {
    const t = this.text;
    if (this.assignMode) {
      while (this.p < t.length && (t[this.p] === ' ' || t[this.p] === '\t')) this.p++;
      if (this.p >= t.length) {
        this.assignMode = false;
        return this.tok('EOL');
      }
      if (t[this.p] === '\n') {
        this.assignMode = false;
        const tok = this.tok('EOL');
        this.p++;
        this.line++;
        return tok;
      }
      const end = this.lineEnd(this.p);
      const value = t.slice(this.p, end);
      this.p = end;
      return this.tok('ASSIGN_VAL', value);
    }
    for (;;) {
      if (this.p >= t.length) return this.tok('EOF');
      const c = t[this.p]!;
      const code = t.charCodeAt(this.p);
      if (c === '#') {
        this.p = this.lineEnd(this.p);
        continue;
      }
      if (c === ' ' || c === '\t') {
        this.p++;
        continue;
      }
      if (c === '\\' && t[this.p + 1] === '\n') {
        this.p += 2;
        this.line++;
        continue;
      }
      if (c === '\n') {
        const tok = this.tok('EOL');
        this.p++;
        this.line++;
        return tok;
      }
      if (c === '"' || c === "'") {
        this.p++;
        return this.readString(c);
      }
      if (isWordChar(code) || c === '$') {
        let q = this.p;
        let dollar = false;
        while (q < t.length) {
          const cc = t.charCodeAt(q);
          if (isWordChar(cc)) q++;
          else if (cc === 36) {
            dollar = true;
            q++;
          } else break;
        }
        if (!dollar) {
          const word = t.slice(this.p, q);
          this.p = q;
          if (this.keywords.has(word)) return this.tok(word as TokenType);
          if (this.unsupported.has(word)) {
            throw new KconfigError(
              `E_KCONFIG_DIALECT: '${word}' is a keyword of this kernel's Kconfig that kplay does not implement; use \`kplay kconfig resolve --verify\` or the kernel's own \`make olddefconfig\``,
              { file: this.file, line: this.line, col: 0 },
              'E_KCONFIG_DIALECT',
            );
          }
          return this.tok('WORD', word);
        }
        const end = this.lineEnd(this.p);
        this.pp.file = this.file;
        this.pp.line = this.line;
        const r = this.pp.expandOneToken(t.slice(this.p, end), 0);
        this.p += r.end;
        if (r.value.length) return this.tok('WORD', r.value);
        continue;
      }
      const two = t.slice(this.p, this.p + 2);
      if (two === '||' || two === '&&' || two === '!=' || two === '<=' || two === '>=' || two === ':=' || two === '+=') {
        this.p += 2;
        return this.tok(two);
      }
      if (c === '=' || c === '<' || c === '>' || c === '!' || c === '(' || c === ')') {
        this.p++;
        return this.tok(c);
      }
      this.warnings.push(`${this.file}:${this.line}:warning: ignoring unsupported character '${c}'`);
      this.p++;
    }
  }

  private readString(quote: string): Token {
    const t = this.text;
    const line = this.line;
    let out = '';
    for (;;) {
      if (this.p >= t.length) break;
      const c = t[this.p]!;
      if (c === '$') {
        const end = this.lineEnd(this.p);
        this.pp.file = this.file;
        this.pp.line = this.line;
        const rest = t.slice(this.p, end);
        const r = this.pp.expandDollar(rest, 1);
        out += r.value;
        this.p += r.end;
        continue;
      }
      if (c === '\\') {
        const n = t[this.p + 1];
        if (n !== undefined && n !== '\n') {
          out += n;
          this.p += 2;
        } else this.p += 1;
        continue;
      }
      if (c === '"' || c === "'") {
        this.p++;
        if (c === quote) return { type: 'STRING', value: out, line };
        out += c;
        continue;
      }
      if (c === '\n') {
        this.warnings.push(`${this.file}:${this.line}:warning: multi-line strings not supported`);
        break;
      }
      let q = this.p;
      while (q < t.length) {
        const cc = t[q];
        if (cc === '$' || cc === '"' || cc === "'" || cc === '\\' || cc === '\n') break;
        q++;
      }
      out += t.slice(this.p, q);
      this.p = q;
    }
    return { type: 'STRING', value: out, line };
  }

  /** Help text after `help` + newline: lines indented at least as much as the first one. */
  readHelp(): string {
    const t = this.text;
    let firstTs = 0;
    let lastTs = 0;
    let out = '';
    for (;;) {
      if (this.p >= t.length) break;
      // leading blanks
      let q = this.p;
      let ts = 0;
      while (q < t.length && (t[q] === ' ' || t[q] === '\t')) {
        ts = t[q] === '\t' ? (ts & ~7) + 8 : ts + 1;
        q++;
      }
      if (q < t.length && t[q] === '\n') {
        // blank line: ends help if the next line starts with a non-blank
        this.p = q + 1;
        this.line++;
        const n = t[this.p];
        if (n !== undefined && n !== ' ' && n !== '\t' && n !== '\n') break;
        out += '\n';
        continue;
      }
      if (q > this.p) {
        lastTs = ts;
        if (firstTs) {
          if (ts < firstTs) {
            this.p = q;
            break;
          }
          out += ' '.repeat(ts - firstTs);
        }
      }
      if (q >= t.length) {
        this.p = q;
        break;
      }
      const end = this.lineEnd(q);
      let e = end;
      while (e > q && (t.charCodeAt(e - 1) === 32 || t.charCodeAt(e - 1) === 9)) e--;
      out += t.slice(q, e);
      if (!firstTs) firstTs = lastTs;
      this.p = end;
      if (end < t.length) {
        this.p = end + 1;
        this.line++;
        const n = t[this.p];
        if (n !== undefined && n !== ' ' && n !== '\t' && n !== '\n') break;
        out += '\n';
      }
    }
    this.prev = 'EOL';
    return out;
  }

  static isKeyword(word: string): boolean {
    return KEYWORDS.has(word);
  }

  fatal(message: string): never {
    return this.fail(message);
  }
}
