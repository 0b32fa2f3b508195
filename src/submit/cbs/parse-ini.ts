import type { SourceLocation } from '../../findings/finding.js';

/**
 * INI files as Python's configparser reads them (koji reads its profiles with it): `[section]`
 * headers, `key = value` or `key: value` (keys lower-cased), indented continuation lines, whole-line
 * `#`/`;` comments, a `[DEFAULT]` section inherited by every other, `%(key)s` interpolation.
 * Several files merge: a later file's keys override an earlier file's.
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
  constructor(message: string, readonly where: SourceLocation) {
    super(message);
    this.name = 'IniSyntaxError';
  }
}

export function emptyIniDocument(): IniDocument {
  return { sections: new Map(), headers: new Map() };
}

/** Merge one file's text into `doc` (mutates and returns it). */
export function parseIniInto(doc: IniDocument, text: string, file: string): IniDocument {
  const lines = text.split(/\r?\n/);
  let section: Map<string, IniEntry> | undefined;
  let sectionName = '';
  /** Keys seen in this file, per section: configparser refuses a repeated key within one file. */
  const seen = new Set<string>();
  let last: { entry: IniEntry } | undefined;
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const trimmed = raw.trim();
    if (trimmed === '' ) {
      last = undefined;
      return;
    }
    if (/^[#;]/.test(trimmed)) return;
    if (/^\s/.test(raw) && last) {
      last.entry.value += `\n${trimmed}`;
      return;
    }
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      const name = header[1]!;
      sectionName = name;
      section = doc.sections.get(name) ?? new Map();
      doc.sections.set(name, section);
      doc.headers.set(name, { file, line, col: 1 });
      last = undefined;
      return;
    }
    if (!section) throw new IniSyntaxError('a key before the first [section] header', { file, line, col: 1 });
    const m = /^([^=:]+?)\s*[=:]\s?(.*)$/.exec(trimmed);
    if (!m) throw new IniSyntaxError(`"${trimmed}" is not "key = value"`, { file, line, col: 1 });
    const key = m[1]!.trim().toLowerCase();
    if (seen.has(`${sectionName}\n${key}`)) {
      throw new IniSyntaxError(`${key} is set twice in [${sectionName}]`, { file, line, col: 1 });
    }
    seen.add(`${sectionName}\n${key}`);
    const entry: IniEntry = { value: m[2]!.trim(), where: { file, line, col: 1 } };
    section.set(key, entry);
    last = { entry };
  });
  return doc;
}

const MAX_INTERPOLATION_DEPTH = 10;

/** The keys of one section, DEFAULT keys included, with `%(key)s` and `%%` resolved. */
export function sectionValues(doc: IniDocument, name: string): Map<string, IniEntry> | undefined {
  const own = doc.sections.get(name);
  if (!own) return undefined;
  const merged = new Map<string, IniEntry>(doc.sections.get('DEFAULT') ?? []);
  for (const [k, v] of own) merged.set(k, v);
  const resolve = (entry: IniEntry, depth: number): string => {
    if (depth > MAX_INTERPOLATION_DEPTH) throw new IniSyntaxError('interpolation nested too deeply', entry.where);
    return entry.value.replace(/%(%|\(([^)]+)\)s)/g, (_whole, what: string, key: string | undefined) => {
      if (what === '%') return '%';
      const ref = merged.get(key!.toLowerCase());
      if (!ref) throw new IniSyntaxError(`%(${key})s refers to a key that is not set`, entry.where);
      return resolve(ref, depth + 1);
    });
  };
  const out = new Map<string, IniEntry>();
  for (const [k, v] of merged) out.set(k, { value: resolve(v, 0), where: v.where });
  return out;
}
