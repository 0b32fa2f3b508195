import { foldToOneLine, normaliseLines } from './control-characters.js';
import { RenderRefusal } from './render-refusal.js';

/**
 * How rpm reads a spec (rpm 4.18 build/parseSpec.c, checked with `rpmspec -P`): each line is
 * macro-expanded FIRST, and only then tested for a section keyword (`%post`, `%package`,
 * `%files`, `%changelog`, ... case-insensitive, at column 1) and, after leading blanks, for a
 * conditional (`%if*`, `%else*`, `%endif`, `%include`). Doubling `%` therefore stops macros
 * (`%(...)`, `%{lua:...}`, `%[...]`, `%{expand:...}`, `%define`, `%global`) but not sections: `%%post`
 * expands to `%post` and opens a root scriptlet. So free text may contain `%` anywhere except as
 * the first non-blank character of a line; such a line is refused. In shell sections a trailing
 * backslash joins the next template line, so no rendered line may end with one.
 */

/**
 * `%` → `%%`: the one escape rpm's macro expander knows. rpm's line reader, which runs before the
 * expander, treats a backslash as escaping the next character: after `\` the first `%` of `%%`
 * is skipped and the second one, with a following `{`, `(` or `[`, counts as an open macro, so
 * the reader joins the next spec line to this one. A backslash before `%` is therefore refused.
 */
export function doublePercent(value: string): string {
  if (value.includes('\\%')) {
    throw new RenderRefusal(
      'E_SPEC_TEXT',
      "a value has a backslash right before '%': rpm's line reader would take the escaped '%%' for an open macro and join the next spec line",
      "put a space between the backslash and '%', or drop the backslash",
    );
  }
  return value.replace(/%/g, '%%');
}

function checkLine(line: string, what: string): void {
  if (/^\s*%/.test(line)) {
    throw new RenderRefusal(
      'E_SPEC_TEXT',
      `a line of ${what} starts with '%' ('${line.trim().slice(0, 40)}'): rpm reads such a line as a section, conditional or macro after expanding it`,
      "reword the line so that it does not start with '%' (e.g. put a word before it)",
    );
  }
  if (/\\$/.test(line)) {
    throw new RenderRefusal(
      'E_SPEC_TEXT',
      `a line of ${what} ends with a backslash, which joins the next spec line to it`,
      'remove the trailing backslash',
    );
  }
}

/**
 * Free text of several lines (%description): line breaks normalised, controls removed, `%`
 * doubled; a line that rpm would read as spec syntax is refused.
 */
export function specText(value: string, what = 'free text'): string {
  const lines = normaliseLines(value).split('\n');
  for (const l of lines) checkLine(l, what);
  return doublePercent(lines.join('\n'));
}

/**
 * A one-line value after a tag (`Summary:`, `Source0:`, a `#` comment, a changelog header):
 * line breaks and controls folded to spaces, `%` doubled, trailing backslashes dropped. The line
 * starts with the template's own tag, so the value can never start a spec line.
 */
export function specTag(value: string): string {
  return doublePercent(
    foldToOneLine(value)
      .trim()
      .replace(/[\s\\]+$/, ''),
  );
}

/**
 * A %changelog entry body: each line a `- ` item (so no line starts with `*`, which opens an
 * entry, or with `%`), `%` doubled, trailing backslashes dropped.
 */
export function specChangelogText(value: string): string {
  return normaliseLines(value)
    .split('\n')
    .map((l) => l.trim().replace(/[\s\\]+$/, ''))
    .filter(Boolean)
    .map((l) => doublePercent(l.startsWith('- ') ? l : `- ${l}`))
    .join('\n');
}
