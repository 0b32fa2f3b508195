import { describeControl, foldToOneLine } from './control-characters.js';
import { RenderRefusal } from './render-refusal.js';

/**
 * Values copied VERBATIM into a spec, e.g. from the header of an RPM someone else built (`kplay
 * sign` rebuilds it): the spec must give rpm back exactly the same value, or the value is refused.
 * Nothing is folded, trimmed or prefixed as for kplay's own text (spec-text.ts), because the
 * rebuilt header must equal the original. What rpm 4.18 does to a spec line (build/parseSpec.c,
 * parsePreamble.c, parseDescription.c, parseChangelog.c; checked with rpmspec by
 * test/security/sign-rebuild-spec.test.ts):
 *
 * - the line reader joins a line to the next one when a macro is still open (`%{`, `%(`, `%[`)
 *   or the line ends with a backslash, and a backslash escapes the next character for that count;
 * - the whole buffer is macro-expanded, then split into lines again, and EACH line is tested for
 *   a conditional (`%if`, `%else`, `%endif`, `%include`, ... after leading blanks) and, in the
 *   section loop, for a section keyword (`%post`, `%files`, ... at column 1);
 * - preamble, %description and %changelog drop comment lines (`#` after leading blanks);
 *   preamble and %description lines lose trailing blanks; every section loses trailing blank
 *   lines; %changelog entries lose leading blanks and a line starting with `*` opens an entry.
 */

/**
 * `%` → `%%`, so the expander gives back each `%` once. A `%` right after a backslash would let
 * the reader skip the first `%` of `%%` and count the second as an open macro (joining the next
 * spec line), so there an empty `%{nil}` is put between the backslash and `%%`: the reader
 * then sees a closed macro, the expander drops it. A backslash ending a line gets the same
 * `%{nil}` after it: the reader would otherwise join the next line to it, and it rescans the
 * whole joined buffer for every line it adds (100,000 such lines took rpmspec 89 s). The
 * expansion equals `value` exactly.
 */
export function verbatimPercent(value: string): string {
  return value
    .replace(/%/g, '%%')
    .replace(/\\%%/g, '\\%{nil}%%')
    .replace(/\\(?=\n|$)/g, '\\%{nil}');
}

function shown(value: string): string {
  return `'${foldToOneLine(value.slice(0, 60))}${value.length > 60 ? '…' : ''}'`;
}

function refuse(what: string, problem: string, hint?: string): never {
  throw new RenderRefusal('E_SPEC_TEXT', `${what} ${problem}`, hint);
}

/** rpm trims these (risspace) and SKIPSPACEs over them; JavaScript's \s is a superset. */
const BLANK_START = /^\s/;
const BLANK_END = /\s$/;

/**
 * A one-line value after a tag (`Summary:`, `License:`, `URL:`, a changelog author): rpm takes
 * the rest of the line without its leading and trailing blanks. `singleToken` tags (URL) refuse
 * blanks inside too ("Tag takes single token only").
 */
export function specVerbatimTag(value: string, what: string, opts: { singleToken?: boolean } = {}): string {
  const bad = describeControl(value);
  if (bad !== undefined) refuse(what, `${shown(value)} holds the control character ${bad}: a tag value is one line`);
  if (value === '') refuse(what, 'is empty: rpm refuses an empty tag');
  if (BLANK_START.test(value) || BLANK_END.test(value)) refuse(what, `${shown(value)} starts or ends with a blank, which rpm would trim`);
  if (opts.singleToken && /\s/.test(value)) refuse(what, `${shown(value)} holds a blank: rpm takes a single token only`);
  return verbatimPercent(value);
}

/** Controls rpm would not carry through a text section unchanged (tab and line feed are kept). */
// eslint-disable-next-line no-control-regex
const TEXT_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

function checkTextLines(value: string, what: string, section: string): string[] {
  const c = TEXT_CONTROL.exec(value);
  if (c) refuse(what, `holds the control character U+${c[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  if (BLANK_END.test(value)) refuse(what, `ends with a blank or an empty line, which rpm would drop`);
  const lines = value.split('\n');
  lines.forEach((line, i) => {
    const where = `${what} line ${i + 1} (${shown(line)})`;
    if (/^\s*%/.test(line))
      refuse(where, `starts with '%': after macro expansion rpm reads such a line as a section, conditional or macro`);
    if (/^\s*#/.test(line)) refuse(where, `starts with '#': rpm drops it as a comment in ${section}`);
  });
  return lines;
}

/**
 * A %description body: each line as it is, except that a line starting with `%` or `#` (after
 * blanks) is refused (rpm would read a section, conditional or comment), and so are trailing
 * blanks on a line or at the end (rpm strips them) and control characters other than tab.
 */
export function specVerbatimText(value: string, what = 'the description'): string {
  const lines = checkTextLines(value, what, '%description');
  lines.forEach((line, i) => {
    if (BLANK_END.test(line)) refuse(`${what} line ${i + 1} (${shown(line)})`, 'ends with a blank, which rpm would strip');
  });
  return verbatimPercent(value);
}

/**
 * The text of one %changelog entry: as %description, plus no line may start with `*` (it would
 * open another entry) and the text may not start with a blank (rpm skips it) or be empty. Blanks
 * at the end of an inner line are kept by rpm.
 */
export function specVerbatimChangelog(text: string, what = 'a changelog entry'): string {
  if (text === '') refuse(what, 'is empty: rpm refuses a changelog entry without text');
  if (BLANK_START.test(text)) refuse(what, `starts with a blank, which rpm would skip`);
  const lines = checkTextLines(text, what, '%changelog');
  lines.forEach((line, i) => {
    if (line.startsWith('*')) refuse(`${what} line ${i + 1} (${shown(line)})`, "starts with '*', which opens another changelog entry");
  });
  return verbatimPercent(text);
}
