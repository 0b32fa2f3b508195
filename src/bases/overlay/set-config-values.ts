import { formatConfigLine } from '../../config/config-value.js';
import type { ConfigValue } from '../../model/types.js';
import { codePointOrder } from '../../model/code-point-order.js';

const SET_LINE = /^CONFIG_([A-Za-z0-9_]+)=/;
const UNSET_LINE = /^# CONFIG_([A-Za-z0-9_]+) is not set$/;

/** The symbol a config line sets (`CONFIG_X=...` or `# CONFIG_X is not set`), without the prefix. */
export function configLineSymbol(line: string): string | undefined {
  return SET_LINE.exec(line)?.[1] ?? UNSET_LINE.exec(line)?.[1];
}

/**
 * Set values in a full config file the way merge.py merges kernel-local: the line of a symbol is
 * replaced where it stands, a symbol the file lacks is appended. `n` is written as
 * `# CONFIG_X is not set` (process_configs counts a `CONFIG_X=n` line as a mismatch).
 * Setting the same values again gives the same text.
 */
export function setConfigValues(text: string, values: ReadonlyMap<string, ConfigValue>): string {
  const trailingNewline = text.endsWith('\n') || text === '';
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const done = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const sym = configLineSymbol(line);
    if (sym !== undefined && values.has(sym)) {
      if (done.has(sym)) continue; // a duplicate line would make the first occurrence win
      out.push(formatConfigLine(sym, values.get(sym)!));
      done.add(sym);
    } else {
      out.push(line);
    }
  }
  for (const [sym, value] of [...values.entries()].sort(([a], [b]) => codePointOrder(a, b))) {
    if (!done.has(sym)) out.push(formatConfigLine(sym, value));
  }
  return `${out.join('\n')}${trailingNewline ? '\n' : ''}`;
}

/** Symbol → value line of a config text (the first occurrence of each symbol). */
export function readConfigLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const sym = configLineSymbol(line);
    if (sym !== undefined && !out.has(sym)) out.set(sym, line);
  }
  return out;
}
