import { KconfigError } from './kconfig-error.js';
import { ShellCommandRefused } from './shell-command-refused.js';

/** Runs `$(shell,...)` commands: returns stdout (as the reference tool post-processes it). */
export interface ShellRunner {
  run(command: string): string;
  /**
   * A value that decides what happens next (a variable or function name, an error-if/warning-if
   * condition, a sourced file name) with any placeholder `run` returned replaced by the real
   * result. Only the prefetching runner (shell-prefetch.ts) returns placeholders.
   */
  concrete?(value: string): string;
}

export type VariableFlavor = 'recursive' | 'simple' | 'append';

interface Variable {
  value: string;
  flavor: 'recursive' | 'simple';
  expanding: number;
}

export interface MacroMessage {
  kind: 'info' | 'warning';
  text: string;
  file: string;
  line: number;
}

const MAX_ARGS = 16;
/**
 * Bounds on macro expansion, far above what kernel trees need (6.1 and 6.12 expand ~2,000
 * references and no value over a few KB) but low enough that a Kconfig file from an untrusted
 * patch that doubles a variable 40 times (`B1 = $(B0)$(B0)` ...) fails at its line in about a
 * second, instead of running for hours or ending in V8's "Invalid string length" (exit 3).
 */
export const MAX_MACRO_EXPANSIONS = 1_000_000;
export const MAX_MACRO_VALUE = 16 * 1024 * 1024;

/** A command as a message shows it: control characters escaped (\xNN), long ones cut. */
function shownCommand(command: string): string {
  const cut = command.length > 300 ? `${command.slice(0, 300)}...` : command;
  let shown = '';
  for (const c of cut) {
    const n = c.charCodeAt(0);
    shown += n < 0x20 || (n >= 0x7f && n <= 0x9f) ? `\\x${n.toString(16).padStart(2, '0')}` : c;
  }
  return `'${shown}'`;
}

function isTokenChar(c: string): boolean {
  return /[A-Za-z0-9_-]/.test(c);
}

/**
 * The Kconfig macro language: `$(var)`, user functions `$(fn,a,b)` with `$(1)`.., and the built-in
 * functions shell, info, warning-if, error-if, filename, lineno. Undefined names fall back to the
 * environment the kernel's Makefile exports, then to the empty string.
 */
export class MacroPreprocessor {
  private readonly variables = new Map<string, Variable>();
  /** Environment variables the tree actually referenced, with their values. */
  readonly usedEnv = new Map<string, string>();
  readonly messages: MacroMessage[] = [];
  /** References expanded so far (MAX_MACRO_EXPANSIONS). */
  private expansions = 0;
  /** Where expansion happens, for $(filename), $(lineno) and errors. */
  file = '';
  line = 0;

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly shell: ShellRunner,
  ) {}

  private fail(message: string): never {
    throw new KconfigError(message, { file: this.file, line: this.line, col: 0 });
  }

  /** See ShellRunner.concrete: the identity unless the runner hands out placeholders. */
  concrete(value: string): string {
    return this.shell.concrete ? this.shell.concrete(value) : value;
  }

  addVariable(rawName: string, value: string, flavor: VariableFlavor): void {
    const name = this.concrete(rawName);
    const existing = this.variables.get(name);
    let append = false;
    let kind: 'recursive' | 'simple';
    if (existing) {
      if (flavor === 'append') {
        kind = existing.flavor;
        append = true;
      } else kind = flavor;
    } else kind = flavor === 'append' ? 'recursive' : flavor;
    const newValue = kind === 'simple' ? this.expandString(value) : value;
    if (existing) {
      existing.flavor = kind;
      existing.value = append ? `${existing.value} ${newValue}` : newValue;
    } else {
      this.variables.set(name, { value: newValue, flavor: kind, expanding: 0 });
    }
  }

  /** Expand every reference in a string. */
  expandString(input: string, args: readonly string[] = []): string {
    return this.expandUntil(input, 0, () => false, args).value;
  }

  /**
   * Expand from `start` until a character that cannot be part of a symbol token; returns the
   * expansion and where the unexpanded rest begins.
   */
  expandOneToken(input: string, start: number): { value: string; end: number } {
    return this.expandUntil(input, start, (c) => !isTokenChar(c), []);
  }

  /** Expand one reference right after a `$` at input[start - 1]. */
  expandDollar(input: string, start: number, args: readonly string[] = []): { value: string; end: number } {
    if (input[start] !== '(') return { value: '$', end: start };
    let nest = 0;
    let q = start + 1;
    for (; q < input.length; q++) {
      const c = input[q];
      if (c === '(') nest++;
      else if (c === ')') {
        if (nest-- === 0) break;
      }
    }
    if (q >= input.length) this.fail(`unterminated reference to '${input.slice(start + 1)}': missing ')'`);
    return { value: this.evalClause(input.slice(start + 1, q), args), end: q + 1 };
  }

  private expandUntil(
    input: string,
    start: number,
    isEnd: (c: string) => boolean,
    args: readonly string[],
  ): { value: string; end: number } {
    let out = '';
    let from = start;
    let p = start;
    while (p < input.length) {
      const c = input[p]!;
      if (c === '$') {
        out += input.slice(from, p);
        const r = this.expandDollar(input, p + 1, args);
        if (out.length + r.value.length > MAX_MACRO_VALUE)
          this.fail(`macro expansion longer than ${MAX_MACRO_VALUE} characters (a variable that doubles itself?)`);
        out += r.value;
        p = from = r.end;
        continue;
      }
      if (isEnd(c)) break;
      p++;
    }
    out += input.slice(from, p);
    return { value: out, end: p };
  }

  private evalClause(clause: string, args: readonly string[]): string {
    if (++this.expansions > MAX_MACRO_EXPANSIONS)
      this.fail(`more than ${MAX_MACRO_EXPANSIONS} macro references expanded (a variable that doubles itself?)`);
    if (/^[0-9]+$/.test(clause)) {
      const n = Number(clause);
      if (n > 0 && n <= args.length) return args[n - 1]!;
    }
    const parts: string[] = [];
    let nest = 0;
    let prev = 0;
    for (let p = 0; p < clause.length; p++) {
      const c = clause[p];
      if (nest === 0 && c === ',') {
        if (parts.length >= MAX_ARGS) this.fail('too many function arguments');
        parts.push(clause.slice(prev, p));
        prev = p + 1;
      } else if (c === '(') nest++;
      else if (c === ')') nest--;
    }
    if (parts.length >= MAX_ARGS) this.fail('too many function arguments');
    parts.push(clause.slice(prev));
    const name = this.concrete(this.expandString(parts[0]!, args));
    const callArgs = parts.slice(1).map((a) => this.expandString(a, args));

    const v = this.variables.get(name);
    if (v) {
      if (callArgs.length === 0 && v.expanding) this.fail(`Recursive variable '${name}' references itself (eventually)`);
      if (v.expanding > 1000) this.fail('Too deep recursive expansion');
      v.expanding++;
      try {
        return v.flavor === 'recursive' ? this.expandString(v.value, callArgs) : v.value;
      } finally {
        v.expanding--;
      }
    }
    const builtin = this.callBuiltin(name, callArgs);
    if (builtin !== undefined) return builtin;
    if (callArgs.length === 0 && name !== '') {
      const value = this.env[name];
      if (value !== undefined) {
        this.usedEnv.set(name, value);
        return value;
      }
    }
    return '';
  }

  private runShell(command: string): string {
    try {
      return this.shell.run(command);
    } catch (err) {
      if (err instanceof KconfigError) throw err;
      if (!(err instanceof ShellCommandRefused)) this.fail(`$(shell,...): ${(err as Error).message}`);
      throw new KconfigError(
        `$(shell,...) not run: the unpatched tree does not run the command ${shownCommand(command)}`,
        { file: this.file, line: this.line, col: 0 },
        'E_KCONFIG_SHELL',
        'kplay does not run commands that patches add to Kconfig files (the kernel build will)',
      );
    }
  }

  private callBuiltin(name: string, args: string[]): string | undefined {
    const arity: Record<string, [number, number]> = {
      'error-if': [2, 2],
      filename: [0, 0],
      info: [1, 1],
      lineno: [0, 0],
      shell: [1, 1],
      'warning-if': [2, 2],
    };
    const range = arity[name];
    if (!range) return undefined;
    if (args.length < range[0]) this.fail(`too few function arguments passed to '${name}'`);
    if (args.length > range[1]) this.fail(`too many function arguments passed to '${name}'`);
    switch (name) {
      case 'error-if':
        if (this.concrete(args[0]!) === 'y') this.fail(args[1]!);
        return '';
      case 'filename':
        return this.file;
      case 'info':
        this.messages.push({ kind: 'info', text: args[0]!, file: this.file, line: this.line });
        return '';
      case 'lineno':
        return String(this.line);
      case 'shell':
        return this.runShell(args[0]!);
      case 'warning-if':
        if (this.concrete(args[0]!) === 'y') this.messages.push({ kind: 'warning', text: args[1]!, file: this.file, line: this.line });
        return '';
    }
    return undefined;
  }
}
