import { describeControl, quotedExcerpt } from './control-characters.js';
import { RenderRefusal } from './render-refusal.js';
import { parseRichDependency } from './spec-rich-dependency.js';
import { verbatimPercent } from './spec-verbatim.js';

/**
 * One dependency of a `Requires:` / `Provides:` / ... line, carried verbatim. rpm 4.18
 * (build/parseReqs.c) splits the value at blanks and commas into NAME [OP EVR] triples, takes a
 * token starting with `(` as a rich dependency up to its matching `)`, and checks that a name
 * starts with a letter, digit, `_` or `/` and an EVR holds only letters, digits and `._+%{}~^-:`.
 * A name or EVR that would split, start another dependency or fail those checks is refused; a
 * rich dependency must parse as exactly one expression already in rpm's normal form.
 */

function refuse(what: string, value: string, problem: string): never {
  throw new RenderRefusal('E_SPEC_VALUE', `${what} ${quotedExcerpt(value)} ${problem}`);
}

export interface DependencyKind {
  /**
   * Requires, Recommends, Suggests (`requires`) and Conflicts, Supplements, Enhances (`conflicts`,
   * where rpm checks the expression as an `or` context) take rich dependencies.
   */
  rich?: 'requires' | 'conflicts';
  /** Obsoletes names packages only (rpm checks them like a Name:). */
  packageName?: boolean;
}

export function specDependencyName(name: string, what: string, kind: DependencyKind): string {
  const bad = describeControl(name);
  if (bad !== undefined) refuse(what, name, `holds the control character ${bad}`);
  if (name.startsWith('(')) {
    if (!kind.rich) refuse(what, name, 'is a rich dependency, which this kind of dependency cannot hold');
    const rich = parseRichDependency(name, kind.rich);
    if ('problem' in rich) refuse(what, name, rich.problem);
    for (const d of rich.simple) {
      specDependencyName(d.name, `${what}: the dependency`, {});
      if (d.evr !== undefined) {
        if (d.name.startsWith('/')) refuse(what, name, 'gives a version to a file name, which rpm refuses');
        specDependencyVersion(d.evr, `${what}: the version`);
      }
    }
    return verbatimPercent(name);
  }
  if (!/^[A-Za-z0-9_/][^\s,]*$/.test(name))
    refuse(what, name, "must start with a letter, digit, '_' or '/' and hold no blank or comma (rpm would split it)");
  if (kind.packageName && (!/^[A-Za-z0-9_][A-Za-z0-9._+-]*$/.test(name) || name.includes('..')))
    refuse(what, name, 'is not a package name');
  return verbatimPercent(name);
}

/** `[EPOCH:]VERSION[-RELEASE]` of rpm's allowed characters, no `..`. */
export function specDependencyVersion(evr: string, what: string): string {
  if (!/^(\d+:)?[A-Za-z0-9._+~^%{}]+(-[A-Za-z0-9._+~^%{}]+)?$/.test(evr) || evr.includes('..'))
    refuse(what, evr, 'is not an [epoch:]version[-release] rpm accepts (letters, digits and . _ + ~ ^ only)');
  return verbatimPercent(evr);
}
