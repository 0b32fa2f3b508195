import { describeControl, foldToOneLine, quotedExcerpt } from './control-characters.js';
import { RenderRefusal } from './render-refusal.js';

/**
 * The pieces of a `%files` line carried verbatim. rpm 4.18 (build/files.c) expands the line,
 * then finds `%attr(`, `%config`, `%lang(`, `%caps(`, `%verify(`, `%dev(` ANYWHERE in it with
 * strstr (so a `%` inside a file name could add a directive such as `%caps(cap_sys_admin=ep)`),
 * splits the rest at blanks unless `"`-quoted, globs names holding `*?[{` (a backslash quotes
 * them) and canonicalises `//`, `/./` and `/../`. A path is therefore refused when it holds
 * `%`, `"`, a backslash, a glob character or a control character, or is not canonical; blanks are
 * quoted. The other pieces are plain tokens.
 */
export function specFilePath(path: string): string {
  const shown = quotedExcerpt(path);
  const problem = (() => {
    const bad = describeControl(path);
    if (bad !== undefined) return `holds the control character ${bad}`;
    if (!path.startsWith('/')) return 'is not absolute';
    const c = /[%"\\*?[\]{}]/.exec(path);
    if (c) return `holds '${c[0]}', which a spec file list reads as a directive, quote, escape or glob`;
    if (
      path !== '/' &&
      path
        .slice(1)
        .split('/')
        .some((s) => s === '' || s === '.' || s === '..')
    )
      return 'is not canonical (an empty, . or .. segment, or a trailing /)';
    return undefined;
  })();
  if (problem) throw new RenderRefusal('E_SPEC_VALUE', `file ${shown} ${problem}: it cannot be listed exactly in a spec file list`);
  return /\s/.test(path) ? `"${path}"` : path;
}

/** A user or group name in `%attr(mode,user,group)`. */
export function specFileOwner(name: string, what: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*\$?$/.test(name) || name.length > 256)
    throw new RenderRefusal('E_SPEC_VALUE', `${what} '${foldToOneLine(name.slice(0, 60))}' is not a plain user or group name`);
  return name;
}

/** The text of `%caps(...)` as libcap prints it (`cap_net_raw=ep`, `= cap_x+ep`). */
export function specFileCaps(caps: string, what: string): string {
  if (!/^[A-Za-z0-9_,=+ -]+$/.test(caps) || caps.trim() !== caps)
    throw new RenderRefusal('E_SPEC_VALUE', `${what}: the capabilities '${foldToOneLine(caps.slice(0, 60))}' are not libcap text`);
  return caps;
}

/** The languages of `%lang(...)`: the header joins them with `|`, the spec with `,`. */
export function specFileLang(lang: string, what: string): string {
  const parts = lang.split('|');
  if (parts.some((p) => !/^[A-Za-z0-9_@.-]+$/.test(p)))
    throw new RenderRefusal('E_SPEC_VALUE', `${what}: the language '${foldToOneLine(lang.slice(0, 60))}' is not a locale name`);
  return parts.join(',');
}
