/**
 * Text for a terminal: C0 and C1 control characters (ESC, CSI, BEL, CR…) and DEL escaped as \xNN
 * (\n as \n), so a value from a hub, a repository or a file name cannot move the cursor, change
 * the title or hide a line. Printable Unicode is kept.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** printable() for one line of a multi-line text: keeps its line breaks, escapes the rest. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
