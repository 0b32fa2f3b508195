/**
 * In-process expansion of the `%global` / `%define` macros of a distribution spec, for the values
 * kplay reads (Name, Version, Release, Source and Patch lines, ExclusiveArch). rpm is never run on
 * a dist-git spec: its `%(...)` would execute. Only plain macros are expanded; a construct kplay
 * cannot expand safely (shell `%(...)`, `%{lua:...}`, built-ins, parametric or multi-line macros,
 * a macro defined differently in different places, an undefined macro) is reported, never guessed.
 */

/** What a spec defines: macro name → its body, or why it cannot be used. */
export interface SpecMacros {
  readonly values: ReadonlyMap<string, string>;
  /** Macros that exist but cannot be expanded in process, with the reason. */
  readonly unusable: ReadonlyMap<string, string>;
}

export type Expansion = { ok: true; text: string } | { ok: false; problem: string };

const DEFINE = /^\s*%(global|define)\s+([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?\s*(.*?)\s*$/;

/**
 * The macros a spec defines with `%global` / `%define` (at the start of a line). A macro defined
 * with different bodies (in `%if` branches, or redefined later) is unusable: which one rpm takes
 * depends on conditions kplay does not evaluate. `seed` adds tag macros (`name`, `version`).
 */
export function readSpecMacros(lines: readonly string[], seed: Record<string, string> = {}): SpecMacros {
  const values = new Map<string, string>();
  const unusable = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const m = DEFINE.exec(lines[i]!);
    if (!m) continue;
    const name = m[2]!;
    const body = m[4]!;
    if (m[3] !== undefined) {
      unusable.set(name, `%${name} takes parameters`);
      continue;
    }
    if (body.endsWith('\\')) {
      unusable.set(name, `%${name} spans several lines (line ${i + 1})`);
      continue;
    }
    const before = values.get(name);
    if (before !== undefined && before !== body) {
      values.delete(name);
      unusable.set(
        name,
        `%${name} is defined more than once with different values (line ${i + 1}: '${body}', before: '${before}'); which one rpm uses depends on conditions kplay does not evaluate`,
      );
      continue;
    }
    if (!unusable.has(name)) values.set(name, body);
  }
  for (const [k, v] of Object.entries(seed)) {
    values.set(k, v);
    unusable.delete(k);
  }
  return { values, unusable };
}

/** A copy of `macros` with more values (e.g. `name` after renaming). */
export function withMacros(macros: SpecMacros, more: Record<string, string>): SpecMacros {
  const values = new Map(macros.values);
  const unusable = new Map(macros.unusable);
  for (const [k, v] of Object.entries(more)) {
    values.set(k, v);
    unusable.delete(k);
  }
  return { values, unusable };
}

const MAX_DEPTH = 24;

/** Expand every macro of `text`; the first construct that cannot be expanded is the problem. */
export function expandMacros(text: string, macros: SpecMacros, depth = 0): Expansion {
  if (depth > MAX_DEPTH) return { ok: false, problem: 'macros nest too deeply (a macro refers to itself?)' };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '%') {
      out += '%';
      i += 2;
      continue;
    }
    if (next === '(') return { ok: false, problem: `shell expansion '${excerpt(text, i)}' is not run by kplay` };
    if (next === '[') return { ok: false, problem: `expression '${excerpt(text, i)}' is not evaluated by kplay` };
    if (next === '{') {
      const end = matchingBrace(text, i + 1);
      if (end < 0) return { ok: false, problem: `unbalanced '%{' in '${text}'` };
      const r = expandBraced(text.slice(i + 2, end), macros, depth);
      if (!r.ok) return r;
      out += r.text;
      i = end + 1;
      continue;
    }
    const bare = /^(\??!?\??)([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i + 1));
    if (!bare) {
      out += c;
      i++;
      continue;
    }
    const r = expandBraced(`${bare[1]}${bare[2]}`, macros, depth);
    if (!r.ok) return r;
    out += r.text;
    i += 1 + bare[0].length;
  }
  return { ok: true, text: out };
}

function excerpt(text: string, at: number): string {
  const s = text.slice(at, at + 40);
  return s.length < text.length - at ? `${s}...` : s;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The inside of `%{...}`: `name`, `?name`, `!?name`, `?name:body`, `!?name:body`. */
function expandBraced(inner: string, macros: SpecMacros, depth: number): Expansion {
  const m = /^(!?\??!?)([A-Za-z_][A-Za-z0-9_]*)(?::([\s\S]*))?$/.exec(inner);
  if (!m) return { ok: false, problem: `'%{${inner}}' is not a plain macro` };
  const flags = m[1]!;
  const name = m[2]!;
  const body = m[3];
  const conditional = flags.includes('?');
  const negated = flags.includes('!');
  if (!conditional) {
    if (negated) return { ok: false, problem: `'%{${inner}}' is not a plain macro` };
    if (body !== undefined) return { ok: false, problem: `built-in '%{${name}:...}' is not evaluated by kplay` };
    return lookup(name, macros, depth);
  }
  if (macros.unusable.has(name)) return { ok: false, problem: macros.unusable.get(name)! };
  const defined = macros.values.has(name);
  if (body === undefined) {
    if (negated) return { ok: true, text: '' };
    return defined ? lookup(name, macros, depth) : { ok: true, text: '' };
  }
  return defined !== negated ? expandMacros(body, macros, depth + 1) : { ok: true, text: '' };
}

function lookup(name: string, macros: SpecMacros, depth: number): Expansion {
  const unusable = macros.unusable.get(name);
  if (unusable) return { ok: false, problem: unusable };
  const v = macros.values.get(name);
  if (v === undefined) return { ok: false, problem: `%{${name}} is not defined by the spec` };
  return expandMacros(v, macros, depth + 1);
}
