import type { SourceLocation } from '../findings/finding.js';

/**
 * INI files as Python's `configparser.ConfigParser()` reads them, with its default settings (both
 * copr-cli, python/copr/v3/helpers.py `config_from_file`, and koji, koji/__init__.py
 * `read_config`, use it; checked against CPython's Lib/configparser.py):
 * - `[section]` headers; section names are case-sensitive, a `[DEFAULT]` section is inherited by
 *   every other one;
 * - `key = value` or `key: value`, split at the FIRST `=` or `:` (values may hold both, Copr logins
 *   hold `=`); keys are case-insensitive (lower-cased); surrounding blanks are stripped;
 * - a line indented deeper than its key continues the value (joined with `\n`); blank lines inside
 *   a continued value are kept, trailing ones dropped;
 * - whole-line comments start with `#` or `;` (indentation allowed); there are no inline comments;
 * - `%(key)s` interpolation (from the same section or DEFAULT) and `%%` for a literal `%`; a lone
 *   `%` is an error, as in configparser's BasicInterpolation;
 * - a key before any header, a line without a delimiter, a repeated section or key within one
 *   file are errors (configparser's strict mode); several files merge, later keys win.
 */
export interface IniEntry {
  value: string;
  where: SourceLocation;
}

export interface IniDocument {
  /** section name → key → entry (raw, before interpolation). */
  sections: Map<string, Map<string, IniEntry>>;
  /** Where each section header was last seen. */
  headers: Map<string, SourceLocation>;
}

export class IniSyntaxError extends Error {
  constructor(
    message: string,
    readonly where: SourceLocation,
  ) {
    super(message);
    this.name = 'IniSyntaxError';
  }
}

export const DEFAULT_SECTION = 'DEFAULT';

export function emptyIniDocument(): IniDocument {
  return { sections: new Map(), headers: new Map() };
}

function indentOf(raw: string): number {
  return raw.length - raw.trimStart().length;
}

/** Merge one file's text into `doc` (mutates and returns it). */
export function parseIniInto(doc: IniDocument, text: string, file: string): IniDocument {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let section: Map<string, IniEntry> | undefined;
  let sectionName = '';
  const seenSections = new Set<string>();
  /** Keys seen in this file, per section: configparser refuses a repeated key within one file. */
  const seen = new Set<string>();
  let last: { entry: IniEntry; indent: number; blanks: number } | undefined;
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const trimmed = raw.trim();
    if (/^[#;]/.test(trimmed)) return;
    if (trimmed === '') {
      if (last) last.blanks++;
      return;
    }
    const indent = indentOf(raw);
    if (last && indent > last.indent) {
      last.entry.value += `${'\n'.repeat(last.blanks + 1)}${trimmed}`;
      last.blanks = 0;
      return;
    }
    last = undefined;
    const header = /^\[(.+)\]/.exec(trimmed);
    if (header) {
      const name = header[1]!;
      if (seenSections.has(name)) throw new IniSyntaxError(`section [${name}] appears twice`, { file, line, col: 1 });
      seenSections.add(name);
      sectionName = name;
      section = doc.sections.get(name) ?? new Map();
      doc.sections.set(name, section);
      doc.headers.set(name, { file, line, col: 1 });
      return;
    }
    if (!section) throw new IniSyntaxError('a key before the first [section] header', { file, line, col: 1 });
    const m = /^([^=:]*?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!m || m[1] === '') throw new IniSyntaxError(`"${trimmed}" is not "key = value"`, { file, line, col: 1 });
    const key = m[1]!.toLowerCase();
    if (seen.has(`${sectionName}\n${key}`)) {
      throw new IniSyntaxError(`${key} is set twice in [${sectionName}]`, { file, line, col: 1 });
    }
    seen.add(`${sectionName}\n${key}`);
    const entry: IniEntry = { value: m[2]!.trim(), where: { file, line, col: 1 } };
    section.set(key, entry);
    last = { entry, indent, blanks: 0 };
  });
  return doc;
}

/** One text as a document. */
export function parseIni(text: string, file = '<text>'): IniDocument {
  return parseIniInto(emptyIniDocument(), text, file);
}

const MAX_INTERPOLATION_DEPTH = 10;

/** The keys of one section, DEFAULT keys included, with `%(key)s` and `%%` resolved. */
export function sectionValues(doc: IniDocument, name: string): Map<string, IniEntry> | undefined {
  const own = name === DEFAULT_SECTION ? undefined : doc.sections.get(name);
  if (!own) return undefined;
  const merged = new Map<string, IniEntry>(doc.sections.get(DEFAULT_SECTION) ?? []);
  for (const [k, v] of own) merged.set(k, v);
  const resolve = (entry: IniEntry, depth: number): string => {
    if (depth > MAX_INTERPOLATION_DEPTH) throw new IniSyntaxError('interpolation nested too deeply', entry.where);
    return entry.value.replace(/%(%|\(([^)]+)\)s|.?)/gs, (_whole, what: string, key: string | undefined) => {
      if (what === '%') return '%';
      if (key === undefined) throw new IniSyntaxError(`"%" must be followed by "%" or "(" (write %% for a literal %)`, entry.where);
      const ref = merged.get(key.toLowerCase());
      if (!ref) throw new IniSyntaxError(`%(${key})s refers to a key that is not set`, entry.where);
      return resolve(ref, depth + 1);
    });
  };
  const out = new Map<string, IniEntry>();
  for (const [k, v] of merged) out.set(k, { value: resolve(v, 0), where: v.where });
  return out;
}

/** configparser's `getboolean`: 1/yes/true/on and 0/no/false/off, any case; anything else is an error. */
export function iniBoolean(entry: IniEntry | undefined, fallback: boolean): boolean {
  if (!entry) return fallback;
  const v = entry.value.toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(v)) return true;
  if (['0', 'no', 'false', 'off'].includes(v)) return false;
  throw new IniSyntaxError(`not a boolean: "${entry.value}" (use true or false)`, entry.where);
}
