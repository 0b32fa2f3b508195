import { expandMacros, readSpecMacros, withMacros, type SpecMacros } from './spec-macros.js';

/** One `SourceN:` line of a spec. */
export interface SpecSource {
  number: number;
  /** The value as written (may hold macros such as `%{name}`). */
  value: string;
  /** 0-based line index. */
  line: number;
}

/** Every `SourceN:` line (a bare `Source:` is Source0). */
export function readSpecSources(lines: readonly string[]): SpecSource[] {
  const out: SpecSource[] = [];
  lines.forEach((text, line) => {
    const m = /^Source(\d*)\s*:\s*(\S.*?)\s*$/i.exec(text);
    if (m) out.push({ number: m[1] ? Number(m[1]) : 0, value: m[2]!, line });
  });
  return out;
}

/**
 * The file name a Source value names, with the spec's macros expanded (`%{name}` is
 * `packageName`); undefined when a macro cannot be expanded in process (see spec-macros.ts).
 */
export function sourceFileName(value: string, packageName: string, macros?: SpecMacros): string | undefined {
  const r = expandMacros(value, withMacros(macros ?? { values: new Map(), unusable: new Map() }, { name: packageName }));
  if (!r.ok) return undefined;
  const file = r.text.split('/').pop()!;
  return file.includes('%') || file === '' ? undefined : file;
}

/**
 * The package name (`Name:`, macros expanded: `%{package_name}`, `kernel-plus%{?variant}`) and its
 * line; `problem` says why a `Name:` value could not be expanded.
 */
export function readSpecName(lines: readonly string[]): { name: string; raw: string; line: number; problem?: string } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const m = /^Name:\s*(\S+)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const r = expandMacros(m[1]!, readSpecMacros(lines));
    return r.ok && /^[A-Za-z0-9_.+-]+$/.test(r.text)
      ? { name: r.text, raw: m[1]!, line: i }
      : { name: m[1]!, raw: m[1]!, line: i, problem: r.ok ? `it expands to '${r.text}'` : r.problem };
  }
  return undefined;
}

/** The kernel version a distribution spec builds: `specrpmversion`, `specversion` or `rpmversion`. */
export function readSpecVersion(lines: readonly string[]): string | undefined {
  for (const macro of ['specrpmversion', 'specversion', 'rpmversion']) {
    for (const l of lines) {
      const m = new RegExp(`^%(?:define|global)\\s+${macro}\\s+(\\d+\\.\\d+(?:\\.\\d+)?)\\s*$`).exec(l);
      if (m) return m[1];
    }
  }
  // older specs (RHEL 8: `Version: %{rpmversion}` with `%define rpmversion 4.18.0`)
  const tag = lines.find((l) => /^Version:\s*\S/.test(l));
  if (tag) {
    const r = expandMacros(tag.replace(/^Version:\s*/, '').trim(), readSpecMacros(lines));
    if (r.ok && /^\d+\.\d+(?:\.\d+)?$/.test(r.text)) return r.text;
  }
  return undefined;
}

/**
 * The Release a spec declares, macros expanded in process (a `%{?dist}` the spec does not define
 * belongs to the build target and expands to nothing), or undefined when kplay cannot expand it.
 */
export function readSpecRelease(lines: readonly string[]): string | undefined {
  const tag = lines.find((l) => /^Release:\s*\S/.test(l));
  if (!tag) return undefined;
  const r = expandMacros(tag.replace(/^Release:\s*/, '').trim(), readSpecMacros(lines));
  return r.ok ? r.text : undefined;
}
