import { foldToOneLine } from './control-characters.js';
import { RenderRefusal } from './render-refusal.js';
import { verbatimPercent } from './spec-verbatim.js';

/**
 * A scriptlet (`%post`, `%preun -p <lua>`, ...) carried verbatim into a spec. rpm reads its lines
 * without stripping comments or blanks (STRIP_NOTHING) and drops only the trailing blank lines of
 * the whole body, but each line is still macro-expanded and then tested for a section keyword and
 * a conditional (see spec-verbatim.ts). So every byte is kept (`%` through verbatimPercent, a
 * trailing backslash only joins lines the way rpm splits them again) except that a line starting
 * with `%` after blanks is refused, and a body ending with a blank is refused (rpm would cut it).
 */
export function specScriptBody(body: string, what: string): string {
  if (body.includes('\0')) throw new RenderRefusal('E_SPEC_TEXT', `${what} holds a NUL byte`);
  if (body === '') throw new RenderRefusal('E_SPEC_TEXT', `${what} has an empty body, which rpm would not store`);
  if (/\s$/.test(body))
    throw new RenderRefusal('E_SPEC_TEXT', `${what} ends with a blank or an empty line, which rpm would drop from the rebuilt scriptlet`);
  body.split('\n').forEach((line, i) => {
    if (/^\s*%/.test(line))
      throw new RenderRefusal(
        'E_SPEC_TEXT',
        `${what} line ${i + 1} ('${foldToOneLine(line.trim().slice(0, 40))}') starts with '%': rpm would read it as a section, conditional or macro line after expanding it`,
      );
  });
  return verbatimPercent(body);
}

/** The interpreter of a scriptlet (`-p PROG`): `<lua>` or an absolute path of plain characters. */
export function specScriptInterpreter(prog: string, what: string): string {
  if (prog === '<lua>' || (/^\/[A-Za-z0-9._+/-]*$/.test(prog) && !prog.split('/').some((s) => s === '..') && prog.length <= 4096))
    return prog;
  throw new RenderRefusal(
    'E_SPEC_VALUE',
    `${what} runs the interpreter '${foldToOneLine(prog.slice(0, 60))}', which is neither <lua> nor an absolute path of letters, digits and . _ + / -`,
  );
}
