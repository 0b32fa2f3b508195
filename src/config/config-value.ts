import type { ConfigValue } from '../model/types.js';
import { checkConfigString, describeControl } from '../boundary/index.js';

/**
 * Parse a value as written after `CONFIG_X=` in a fragment: y, m, n, "string" (with \" and \\
 * escapes), a decimal integer, or 0x-hex. Returns an error message when it is none of them.
 */
export function parseConfigValue(raw: string): { value?: ConfigValue; error?: string } {
  if (raw === 'y' || raw === 'm' || raw === 'n') return { value: { type: 'tristate', value: raw } };
  if (raw.startsWith('"')) {
    let out = '';
    for (let i = 1; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '\\' && i + 1 < raw.length) {
        out += raw[++i];
      } else if (c === '"') {
        if (i !== raw.length - 1) return { error: `text after the closing quote in ${raw}` };
        const bad = describeControl(out);
        if (bad !== undefined)
          return { error: `the string value holds the control character ${bad}; a config value is one line of printable text` };
        return { value: { type: 'string', value: out } };
      } else {
        out += c;
      }
    }
    return { error: `unterminated string ${raw}` };
  }
  if (/^-?\d+$/.test(raw)) return { value: { type: 'int', value: raw } };
  if (/^0[xX][0-9a-fA-F]+$/.test(raw)) return { value: { type: 'hex', value: raw } };
  return { error: `'${raw}' is not y, m, n, a "quoted string", a number or 0x-hex` };
}

/** The fragment form: `CONFIG_X=y`, `CONFIG_X="s"`, or `# CONFIG_X is not set` for n. */
export function formatConfigLine(symbol: string, value: ConfigValue): string {
  switch (value.type) {
    case 'tristate':
      return value.value === 'n' ? `# CONFIG_${symbol} is not set` : `CONFIG_${symbol}=${value.value}`;
    case 'string':
      // the boundary: a line break here would write a second, unlisted config line
      checkConfigString(symbol, value.value);
      return `CONFIG_${symbol}="${value.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    default:
      return `CONFIG_${symbol}=${value.value}`;
  }
}

/** Human form for messages: y, m, n, "text", 42, 0x1f. */
export function showConfigValue(value: ConfigValue): string {
  return value.type === 'string' ? JSON.stringify(value.value) : value.value;
}

export function sameConfigValue(a: ConfigValue, b: ConfigValue): boolean {
  if (a.type === 'hex' && b.type === 'hex') return BigInt(a.value) === BigInt(b.value);
  return a.type === b.type && a.value === b.value;
}
