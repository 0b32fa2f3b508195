/**
 * The .config / fragment format: `CONFIG_X=value` and `# CONFIG_X is not set`, one per line.
 * Parsing is purely lexical here; how a value applies to a symbol is the evaluator's business.
 */
export interface ConfigAssignment {
  /** Symbol name without the CONFIG_ prefix. */
  name: string;
  /** Raw value text (`y`, `"quoted"`, `0x10`), `n` for `is not set`. */
  raw: string;
  /** 1-based line in the file. */
  line: number;
}

export interface ParsedConfigFile {
  assignments: ConfigAssignment[];
  /** Lines that are neither assignments, comments nor blank (the reference tool warns about them). */
  unexpected: Array<{ line: number; text: string }>;
}

export const CONFIG_PREFIX = 'CONFIG_';

/**
 * `strictNotSet`: Linux 6.11+ reads `# CONFIG_X is not set` only when nothing follows (older
 * kernels accept any text after it); see dialect.ts.
 */
export function parseConfigFile(text: string, opts: { strictNotSet?: boolean } = {}): ParsedConfigFile {
  const assignments: ConfigAssignment[] = [];
  const unexpected: Array<{ line: number; text: string }> = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) {
      if (line[1] !== ' ' || !line.startsWith(CONFIG_PREFIX, 2)) continue;
      const rest = line.slice(2 + CONFIG_PREFIX.length);
      const sp = rest.indexOf(' ');
      if (sp < 0) continue;
      if (!rest.startsWith('is not set', sp + 1)) continue;
      if (opts.strictNotSet && rest.slice(sp + 11).replace(/\r$/, '') !== '') continue;
      assignments.push({ name: rest.slice(0, sp), raw: 'n', line: i + 1 });
    } else if (line.startsWith(CONFIG_PREFIX)) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      let raw = line.slice(eq + 1);
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      assignments.push({ name: line.slice(CONFIG_PREFIX.length, eq), raw, line: i + 1 });
    } else if (line !== '' && line[0] !== '\r') {
      unexpected.push({ line: i + 1, text: line.replace(/\r$/, '') });
    }
  }
  return { assignments, unexpected };
}

/** Undo .config string quoting: `"a\"b"` → `a"b`; undefined when the closing quote is missing. */
export function unquoteConfigString(raw: string): string | undefined {
  if (!raw.startsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"') return out;
    if (c === '\\') {
      i++;
      if (i < raw.length) out += raw[i];
      continue;
    }
    out += c;
  }
  return undefined;
}

/** Quote a string value for a .config line. */
export function quoteConfigString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
