import { randomBytes } from 'node:crypto';
import type { KconfigDialect } from './dialect.js';
import { parseKconfig } from './kconfig-parser.js';
import { MacroPreprocessor, type ShellRunner } from './macro-preprocessor.js';
import type { MemoisedShell } from './memoised-shell.js';

/**
 * A first, throw-away parse of a tree that starts its `$(shell,...)` commands in the background
 * instead of waiting for each (the kernel's conf, and the real parse, run them one by one: ~100
 * compiler probes of ~15 ms each on x86_64). An unknown result is a placeholder token. Wherever a
 * value decides what happens next (the text of another command, a variable or function name, an
 * error-if/warning-if condition, a sourced file) the placeholders in it are replaced by the real
 * results first (MacroPreprocessor.concrete: those commands run at once, as in the real parse),
 * so every command started is one the real parse runs, with the same text, up to where the real
 * parse stops: a placeholder is never empty, so where a real result is empty and that makes the
 * real parse fail (a word the lexer would drop), this pass goes on and starts later commands of
 * the same tree (only trees kplay runs macros of anyway: a patched tree never gets here). Kconfig's macro
 * language has no other way from a result to a command: it only substitutes text. Results that
 * only end up in symbol properties (`depends on $(cc-option,...)`, most of them) stay
 * placeholders and are waited for all together.
 */
class PrefetchingShell implements ShellRunner {
  private readonly prefix = `KPLAYPREFETCH${randomBytes(4).toString('hex')}x`;
  private readonly placeholder = new RegExp(`${this.prefix}\\d+x`, 'g');
  private readonly commands: string[] = [];

  constructor(private readonly shell: MemoisedShell) {}

  run(raw: string): string {
    // a command built from another's result waits for that one (run now, as the real parse would)
    const command = this.concrete(raw);
    const known = this.shell.peek(command);
    if (known !== undefined) return known;
    this.shell.prefetch(command);
    this.commands.push(command);
    return `${this.prefix}${this.commands.length - 1}x`;
  }

  concrete(value: string): string {
    if (!value.includes(this.prefix)) return value;
    return value.replace(this.placeholder, (token) => {
      const command = this.commands[Number(token.slice(this.prefix.length, -1))];
      return command === undefined ? token : this.shell.run(command);
    });
  }
}

export async function prefetchShellResults(i: {
  read: (rel: string) => string | undefined;
  env: Readonly<Record<string, string>>;
  shell: MemoisedShell;
  dialect: KconfigDialect;
}): Promise<void> {
  try {
    parseKconfig('Kconfig', i.read, new MacroPreprocessor(i.env, new PrefetchingShell(i.shell)), i.dialect);
  } catch {
    // placeholders can make a tree unparsable (or the tree is broken): the real parse reports it
  }
  await i.shell.settle();
}
