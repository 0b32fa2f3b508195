/** How patch messages show file lines and line ranges. */

/** A file line for a message: decoded as UTF-8, newline dropped, quoted, long lines shortened. */
export function describeLine(latin1Line: string): string {
  let text = Buffer.from(latin1Line, 'latin1').toString('utf8');
  const noNewline = !text.endsWith('\n');
  text = text.replace(/\n$/, '');
  if (text.length > 72) text = `${text.slice(0, 69)}...`;
  return `${JSON.stringify(text)}${noNewline ? ' (no newline at end)' : ''}`;
}

/**
 * 0-based first line and count → "lines 120–131" (1-based, inclusive), "line 120" for one line,
 * "between lines 119 and 120" for an insertion point.
 */
export function lineRange(first: number, count: number): string {
  if (count <= 0) return first === 0 ? 'the start' : `between lines ${first} and ${first + 1}`;
  if (count === 1) return `line ${first + 1}`;
  return `lines ${first + 1}–${first + count}`;
}
