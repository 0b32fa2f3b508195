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

/** The file name a Source value names, with `%{name}` expanded; undefined when other macros remain. */
export function sourceFileName(value: string, packageName: string): string | undefined {
  const expanded = value.replace(/%\{\??name\}/g, packageName).replace(/%name\b/g, packageName);
  const file = expanded.split('/').pop()!;
  return file.includes('%') ? undefined : file;
}

/** The package name (`Name:`) and its line. */
export function readSpecName(lines: readonly string[]): { name: string; line: number } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const m = /^Name:\s*(\S+)\s*$/.exec(lines[i]!);
    if (m) return { name: m[1]!, line: i };
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
  return undefined;
}
