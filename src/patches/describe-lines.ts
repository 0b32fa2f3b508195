/** How patch messages show file lines and line ranges. */

/** A file line for a message: decoded as UTF-8, newline dropped, quoted, long lines shortened. */
export function describeLine(latin1Line: string): string {
  let text = Buffer.from(latin1Line, 'latin1').toString('utf8');
  const noNewline = !text.endsWith('\n');
  text = text.replace(/\n$/, '');
  if (text.length > 72) text = `${text.slice(0, 69)}...`;
  return `${JSON.stringify(text)}${noNewline ? ' (no newline at end)' : ''}`;
}

/** 0-based first line and count → "120–131" (1-based, inclusive); "120" for one line. */
export function lineRange(first: number, count: number): string {
  if (count <= 0) return `${first}–${first + 1}`;
  if (count === 1) return `${first + 1}`;
  return `${first + 1}–${first + count}`;
}
