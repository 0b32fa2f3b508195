import { unquoteConfigString } from './config-file.js';
import { stringValidFor, type KconfigEvaluator } from './evaluator.js';
import { F_DEF_USER, F_NO_WRITE, F_VALID, F_WRITE, MOD, NO, YES, type KSymbol } from './model.js';

/** One value to load as if read from a .config, in order (later ones override earlier ones). */
export interface UserAssignment {
  name: string;
  raw: string;
  /** Caller's index for this assignment (kept on the symbol that took it). */
  source: number;
}

export interface LoadReport {
  /** Names not defined by this tree. */
  unknown: UserAssignment[];
  /** Values the symbol's type rejects (e.g. `m` for a bool, `abc` for an int). */
  invalid: UserAssignment[];
  /** Count of the reference tool's warnings (override, invalid value...): they mark the config changed. */
  warnings: number;
}

/**
 * Load user values into a freshly reset evaluator exactly as `conf` reads a .config, then settle
 * every symbol once as `conf_read` does. Returns whether the tool would consider the configuration
 * changed (which decides whether values are recomputed before writing).
 */
export function loadUserValues(ev: KconfigEvaluator, assignments: readonly UserAssignment[]): LoadReport & { changed: boolean } {
  const report: LoadReport = { unknown: [], invalid: [], warnings: 0 };
  const symbols = ev.symbols;
  const menuChoices = ev.dialect.choices === 'menu';
  for (const s of symbols.all()) {
    s.flags &= ~(F_DEF_USER | F_VALID);
    if (s.isChoice && !menuChoices) s.flags |= F_DEF_USER;
    s.userVal = null;
    s.userTri = NO;
  }
  let changed = false;
  for (const a of assignments) {
    const sym = symbols.find(a.name);
    if (!sym || sym === symbols.yes || sym === symbols.mod || sym === symbols.no) {
      // y/m/n are constants the reference lookup never finds as config symbols
      if (sym) continue;
      report.unknown.push(a);
      changed = true;
      continue;
    }
    if (sym.flags & F_DEF_USER) report.warnings++;
    if (!setUserValue(sym, a, report)) continue;
    sym.userSource = a.source;
    if (menuChoices) {
      // the member read last gets the highest priority (list_move to the head)
      const choice = sym.choiceMenu?.sym;
      const list = choice?.choicePriority;
      if (list) {
        const i = list.indexOf(sym);
        if (i >= 0) list.splice(i, 1);
        list.unshift(sym);
      }
      continue;
    }
    if (sym.isChoiceValue) {
      const cs = sym.choiceOf()!;
      if (sym.userTri === MOD) {
        if (cs.userTri === YES) {
          report.warnings++;
          cs.flags &= ~F_DEF_USER;
        }
      } else if (sym.userTri === YES) {
        if (cs.userTri !== NO) report.warnings++;
        cs.userVal = sym;
      }
      cs.userTri = cs.userTri > sym.userTri ? cs.userTri : sym.userTri;
    }
  }

  ev.calcValue(ev.modules);
  let unsaved = 0;
  for (const sym of symbols.all()) {
    ev.calcValue(sym);
    if (sym.isChoice || (!menuChoices && sym.flags & F_NO_WRITE)) continue;
    if (sym.flags & F_DEF_USER && sym.flags & F_WRITE) {
      if (sym.type === 'bool' || sym.type === 'tristate') {
        if (sym.userTri === sym.curr.tri) continue;
      } else if (sym.curr.val === sym.userVal) continue;
    } else if (!(sym.flags & F_DEF_USER) && !(sym.flags & F_WRITE)) continue;
    unsaved++;
  }
  if (!ev.dialect.confReadResets) return { ...report, changed: changed || report.warnings > 0 || unsaved > 0 };
  for (const sym of symbols.all()) {
    if (!(sym.flags & F_DEF_USER) || sym.isChoiceValue) continue;
    if (sym.visible === NO && !unsaved) sym.flags &= ~F_DEF_USER;
    if (sym.type === 'string' || sym.type === 'int' || sym.type === 'hex') {
      if (ev.stringWithinRange(sym, sym.userVal as string)) continue;
      sym.flags &= ~(F_VALID | F_DEF_USER);
      unsaved++;
    }
  }
  changed = changed || report.warnings > 0 || unsaved > 0;
  return { ...report, changed };
}

function setUserValue(sym: KSymbol, a: UserAssignment, report: LoadReport): boolean {
  const p = a.raw;
  switch (sym.type) {
    case 'tristate':
    case 'bool': {
      if (sym.type === 'tristate' && p[0] === 'm') sym.userTri = MOD;
      else if (p[0] === 'y') sym.userTri = YES;
      else if (p[0] === 'n') sym.userTri = NO;
      else {
        report.warnings++;
        report.invalid.push(a);
        return false;
      }
      sym.flags |= F_DEF_USER;
      return true;
    }
    case 'string': {
      if (!p.startsWith('"')) return true;
      const s = unquoteConfigString(p);
      if (s === undefined) {
        report.warnings++;
        report.invalid.push(a);
        return false;
      }
      sym.userVal = s;
      sym.flags |= F_DEF_USER;
      return true;
    }
    case 'int':
    case 'hex':
      if (!stringValidFor(sym.type, p)) {
        report.warnings++;
        report.invalid.push(a);
        return false;
      }
      sym.userVal = p;
      sym.flags |= F_DEF_USER;
      return true;
    default:
      return true;
  }
}
