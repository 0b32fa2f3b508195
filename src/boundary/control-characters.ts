/**
 * Characters that end or break a line somewhere between kplay and the build: C0 controls (NUL,
 * CR, LF, ...), DEL, the C1 NEL and the Unicode line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
export const LINE_BREAKING = /[\x00-\x1f\x7f\x85\u2028\u2029]/;

const LINE_BREAKS = /\r\n|[\r\n\x85\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Every line break form becomes `\n`; other controls except tab are removed. */
export function normaliseLines(value: string): string {
  return value.replace(LINE_BREAKS, '\n').replace(OTHER_CONTROLS, '');
}

/** One line: every line break and control (tab included) becomes a space. */
export function foldToOneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x1f\x7f\x85\u2028\u2029]/g, ' ');
}

/** A value quoted for a message: folded to one line, at most 80 characters. */
export function quotedExcerpt(value: string): string {
  return `'${foldToOneLine(value.slice(0, 80))}'`;
}

/** The first line-breaking or control character, described for a message (`U+000A`). */
export function describeControl(value: string): string | undefined {
  const m = LINE_BREAKING.exec(value);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}
