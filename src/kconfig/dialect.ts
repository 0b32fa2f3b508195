import { KconfigError } from './kconfig-error.js';
import { KEYWORDS } from './kconfig-lexer.js';

/**
 * The Kconfig dialect a kernel tree speaks: which upstream behaviour of `scripts/kconfig` the
 * engine must reproduce for it. Read from the tree's own `scripts/kconfig/` sources (every change
 * below leaves a marker there), so a tree is judged by the tool it really ships, not by its
 * version number; a tree without those sources (a bare Kconfig fixture) falls back on its version.
 *
 * | feature | old behaviour (Linux 6.1) | new behaviour (Linux 6.12) |
 * |---|---|---|
 * | `choices` | `symbol`: the choice symbol carries the selected member (`def[USER].val`), may be tristate, named or `optional`, members depend on the choice, a non-optional choice gets a `<prompt> && m` reverse dependency | `menu`: the choice is an anonymous bool; each member carries y/n itself; the value is the first visible member whose user value is y in *priority order* (the member read last from the .config first), else the visible default unless the user set it to n, else the first visible member without a user value, else the least prioritized visible member; no automatic submenus directly inside a choice |
 * | `hashSize` | 9973 buckets (`for_all_symbols` order) | 16384 |
 * | `emptyNumberIsZero` | an int/hex without value is "" | "0" / "0x0" |
 * | `confReadResets` | conf_read drops user values of invisible symbols (when nothing else changed) and out-of-range int/hex user values (so the default applies) | user values stay; the range clamps them |
 * | `menuVisibleSetsUser` | `menu_is_visible` marks an invisible menuconfig with visible children as user-set | no side effect |
 * | `strictNotSet` | `# CONFIG_X is not set<anything>` counts | only the exact text |
 * | `keywords` | the lexer's keyword table (`optional` exists; `option` only before 5.13) | no `optional` |
 *
 * A keyword the tree's lexer knows and this engine does not (`transitional`, Linux 6.18) is an
 * `E_KCONFIG_DIALECT` error where a Kconfig file uses it; a `scripts/kconfig/symbol.c` the engine
 * cannot place in either choice model is one at load time.
 */
export interface KconfigDialect {
  /** Short description, e.g. `choice members carry the value (scripts/kconfig of the tree)`. */
  readonly label: string;
  readonly choices: 'symbol' | 'menu';
  readonly hashSize: number;
  readonly emptyNumberIsZero: boolean;
  readonly confReadResets: boolean;
  readonly menuVisibleSetsUser: boolean;
  readonly strictNotSet: boolean;
  /** `option modules` etc. (the `option` keyword, gone from the lexer in Linux 5.13). */
  readonly optionKeyword: boolean;
  /** Keywords of the tree's lexer (words that are not keywords are plain words, as in the tree's tool). */
  readonly keywords: ReadonlySet<string>;
  /** Keywords the tree's lexer has that this engine has no semantics for. */
  readonly unsupportedKeywords: ReadonlySet<string>;
}

/** Every keyword this engine implements. */
export const ENGINE_KEYWORDS: ReadonlySet<string> = new Set([...KEYWORDS, 'option']);

const OLD_KEYWORDS: ReadonlySet<string> = new Set([...ENGINE_KEYWORDS].filter((k) => k !== 'option'));
const NEW_KEYWORDS: ReadonlySet<string> = new Set([...OLD_KEYWORDS].filter((k) => k !== 'optional'));

/** Linux 6.1's Kconfig (and every tree before the 6.11 choice rework). */
export const LEGACY_DIALECT: KconfigDialect = {
  label: 'choice symbol carries the value (before Linux 6.11)',
  choices: 'symbol',
  hashSize: 9973,
  emptyNumberIsZero: false,
  confReadResets: true,
  menuVisibleSetsUser: true,
  strictNotSet: false,
  optionKeyword: true,
  keywords: OLD_KEYWORDS,
  unsupportedKeywords: new Set(),
};

/** Linux 6.12's Kconfig (the choice rework of 6.11 and what came with it). */
export const MENU_CHOICE_DIALECT: KconfigDialect = {
  label: 'choice members carry the value (Linux 6.11 and later)',
  choices: 'menu',
  hashSize: 16384,
  emptyNumberIsZero: true,
  confReadResets: false,
  menuVisibleSetsUser: false,
  strictNotSet: true,
  optionKeyword: false,
  keywords: NEW_KEYWORDS,
  unsupportedKeywords: new Set(),
};

export type DialectFileReader = (rel: string) => string | undefined;

const DIR = 'scripts/kconfig';

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The dialect of the tree whose files `read` returns (paths relative to the tree top). Throws an
 * E_KCONFIG_DIALECT `KconfigError` when the tree's reference tool is of a kind the engine does not
 * know. `kernelVersion` (`6.12.57`) decides when the tree has no `scripts/kconfig` sources.
 */
export function detectDialect(read: DialectFileReader, kernelVersion: string): KconfigDialect {
  const symbolC = read(`${DIR}/symbol.c`);
  if (symbolC === undefined) return byVersion(kernelVersion);
  const confdata = read(`${DIR}/confdata.c`) ?? '';
  const menuC = read(`${DIR}/menu.c`) ?? '';
  const lexer = read(`${DIR}/lexer.l`);

  let choices: KconfigDialect['choices'];
  if (/sym_calc_choice\s*\(\s*struct menu\b/.test(symbolC) && symbolC.includes('choice_members')) choices = 'menu';
  else if (/sym_get_choice_prop\s*\(/.test(symbolC) && /static struct symbol \*sym_calc_choice\s*\(\s*struct symbol\b/.test(symbolC))
    choices = 'symbol';
  else {
    const at = symbolC.indexOf('sym_calc_choice');
    throw new KconfigError(
      "E_KCONFIG_DIALECT: this kernel computes choice values in a way kplay does not know (sym_calc_choice is neither the per-choice-symbol form of Linux 6.1 nor the per-member form of 6.11+); use `kplay kconfig resolve --verify` or the kernel's own `make olddefconfig`",
      { file: `${DIR}/symbol.c`, line: at >= 0 ? lineOf(symbolC, at) : 1, col: 0 },
      'E_KCONFIG_DIALECT',
    );
  }

  let hashSize = choices === 'menu' ? 16384 : 9973;
  for (const f of ['internal.h', 'lkc.h', 'expr.h']) {
    const text = read(`${DIR}/${f}`);
    const m = text && /#define\s+SYMBOL_HASHSIZE\s+\(?\s*(?:1U?\s*<<\s*(\d+)|(\d+))/.exec(text);
    if (m) {
      hashSize = m[1] ? 1 << Number(m[1]) : Number(m[2]);
      break;
    }
  }

  let keywords: Set<string> = new Set(choices === 'menu' ? NEW_KEYWORDS : OLD_KEYWORDS);
  if (lexer !== undefined) {
    const found = [...lexer.matchAll(/^"([a-z_-]+)"\s+return\s+T_/gm)].map((m) => m[1]!);
    if (found.length) keywords = new Set(found);
  }
  const unsupported = new Set([...keywords].filter((k) => !ENGINE_KEYWORDS.has(k)));
  const known = new Set([...keywords].filter((k) => ENGINE_KEYWORDS.has(k) && k !== 'option'));

  return {
    label: choices === 'menu' ? MENU_CHOICE_DIALECT.label : LEGACY_DIALECT.label,
    choices,
    hashSize,
    emptyNumberIsZero: /newval\.val\s*=\s*"0"\s*;/.test(symbolC),
    confReadResets: confdata.includes('conf_unsaved'),
    menuVisibleSetsUser: /sym->flags\s*\|=\s*SYMBOL_DEF_USER/.test(menuC),
    strictNotSet: /strcmp\s*\(\s*p\s*,\s*"is not set"\s*\)/.test(confdata),
    optionKeyword: keywords.has('option'),
    keywords: known,
    unsupportedKeywords: unsupported,
  };
}

function byVersion(kernelVersion: string): KconfigDialect {
  const m = /^(\d+)\.(\d+)/.exec(kernelVersion);
  if (m && (Number(m[1]) > 6 || (Number(m[1]) === 6 && Number(m[2]) >= 11))) return MENU_CHOICE_DIALECT;
  return LEGACY_DIALECT;
}

/** A short stable text naming the dialect's features (part of the parsed-tree cache key). */
export function dialectKey(d: KconfigDialect): string {
  return JSON.stringify([
    d.choices,
    d.hashSize,
    d.emptyNumberIsZero,
    d.confReadResets,
    d.menuVisibleSetsUser,
    d.strictNotSet,
    d.optionKeyword,
    [...d.keywords].sort(),
    [...d.unsupportedKeywords].sort(),
  ]);
}
