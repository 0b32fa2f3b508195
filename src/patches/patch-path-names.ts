/**
 * File names in patch headers, read the way `git apply` reads them: C-quoted names, names ended by
 * a tab (a timestamp may follow), `-p` leading components stripped, repeated slashes squashed.
 * Every function returns the raw name too so unsafe paths (absolute, `..`) can be refused.
 */

export interface HeaderName {
  /** The name after stripping `p` leading components; undefined when nothing is left. */
  name?: string;
  /** The name as written (unquoted), before stripping. */
  raw: string;
}

/** `/dev/null` followed by whitespace: the side of a creation or deletion. */
export function isDevNull(rest: string): boolean {
  return rest.startsWith('/dev/null') && /\s/.test(rest.charAt(9));
}

const escapes: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** Unquote a C-style quoted name starting at `text[0] === '"'`; returns the name and the rest. */
export function unquoteCStyle(text: string): { value: string; rest: string } | undefined {
  if (text[0] !== '"') return undefined;
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { value, rest: text.slice(i + 1) };
    if (c === '\n') return undefined;
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = text[++i];
    if (e === undefined) return undefined;
    if (e in escapes) value += escapes[e];
    else if (/[0-3]/.test(e) && /^[0-7]{2}$/.test(text.slice(i + 1, i + 3))) {
      value += String.fromCharCode(parseInt(text.slice(i, i + 3), 8));
      i += 2;
    } else return undefined;
  }
  return undefined;
}

export function squashSlashes(name: string): string {
  return name.replace(/\/{2,}/g, '/');
}

/** Drop `p` leading components ("a/", "b/"); undefined when fewer components exist or none is left. */
export function stripComponents(name: string, p: number): string | undefined {
  if (p === 0) return name || undefined;
  let left = p;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '/' && --left === 0) return name.slice(i + 1) || undefined;
  }
  return undefined;
}

/** Length of a trailing diff timestamp ("\t2023-01-02 10:11:12.000000000 +0100"), 0 when none. */
function timestampStart(line: string): number {
  const m = /(\s+)(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?( [-+]\d{4})?|\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}( [-+]\d{4})?)$/.exec(line);
  return m ? m.index : -1;
}

/**
 * A name on a `--- ` / `+++ ` line (the text after the marker, without the newline).
 * `kind`: git header names end at a tab; traditional names end at a timestamp or tab; names on
 * `rename from` / `copy to` lines take the whole line.
 */
export function readHeaderName(rest: string, p: number, kind: 'git' | 'traditional' | 'whole-line'): HeaderName {
  const line = rest.replace(/\n$/, '');
  if (line.startsWith('"')) {
    const q = unquoteCStyle(line);
    if (q) return { raw: q.value, name: maybe(stripComponents(squashSlashes(q.value), p)) };
  }
  let raw = line;
  if (kind === 'traditional') {
    const ts = timestampStart(line);
    if (ts >= 0) raw = line.slice(0, ts);
    else {
      const tab = line.indexOf('\t');
      if (tab >= 0) raw = line.slice(0, tab);
    }
  } else if (kind === 'git') {
    const tab = line.indexOf('\t');
    if (tab >= 0) raw = line.slice(0, tab);
  }
  // other whitespace that git treats as the end of a name (\r, \v, \f)
  const odd = /[\r\v\f]/.exec(raw);
  if (odd) raw = raw.slice(0, odd.index);
  return { raw, name: maybe(stripComponents(squashSlashes(raw), p)) };
}

/**
 * Names are read byte for byte (latin1) and handed out as the UTF-8 strings file systems use,
 * without `.` components: `patch -p1` (the spec's %autopatch) writes `a/./init/Kconfig` to
 * init/Kconfig, so the checks, the overlap search and the Kconfig engine must see that name too.
 */
function maybe(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const plain = squashSlashes(name)
    .split('/')
    .filter((c) => c !== '.')
    .join('/');
  return plain ? Buffer.from(plain, 'latin1').toString('utf8') : undefined;
}

/**
 * The name on a `diff --git a/x b/x` line when both sides name the same file (creations and
 * deletions of empty files, mode changes); undefined for renames (their names come later).
 */
export function gitHeaderDefaultName(rest: string, p: number): HeaderName | undefined {
  const line = rest.replace(/\n$/, '');
  if (line.startsWith('"')) {
    const first = unquoteCStyle(line);
    if (!first) return undefined;
    const a = stripComponents(first.value, p);
    const tail = first.rest.replace(/^\s+/, '');
    if (!a || !tail) return undefined;
    const second = tail.startsWith('"') ? unquoteCStyle(tail)?.value : tail;
    if (second === undefined) return undefined;
    const b = stripComponents(second, p);
    return b === a ? { raw: first.value, name: maybe(a) } : undefined;
  }
  const quote = line.indexOf('"');
  if (quote >= 0) {
    const a = stripComponents(line.slice(0, quote).trimEnd(), p);
    const second = unquoteCStyle(line.slice(quote));
    const b = second ? stripComponents(second.value, p) : undefined;
    return a && b === a ? { raw: second!.value, name: maybe(a) } : undefined;
  }
  // unquoted: accept a name only if it shows up twice in exactly the same form
  const name = stripComponents(line, p);
  if (name === undefined) return undefined;
  for (let len = 0; len < name.length; len++) {
    const c = name[len];
    if (c !== ' ' && c !== '\t') continue;
    const second = stripComponents(name.slice(len + 1), p);
    if (second !== undefined && second === name.slice(0, len)) {
      return { raw: line.slice(0, line.length - name.length + len), name: maybe(second) };
    }
  }
  return undefined;
}

/** Why a tree path is unsafe to write (absolute, `..`, `.git`), or undefined when it is fine. */
export function unsafePathReason(raw: string, stripped: string | undefined): string | undefined {
  if (raw.startsWith('/')) return 'is an absolute path';
  if (stripped === undefined) return undefined;
  if (stripped.startsWith('/')) return 'is an absolute path';
  const parts = stripped.split('/');
  if (parts.includes('..')) return 'leaves the source tree through ".."';
  if (parts.some((c) => c.toLowerCase() === '.git')) return 'writes into a .git folder';
  return undefined;
}
