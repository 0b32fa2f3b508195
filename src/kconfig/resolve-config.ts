import type { Finding, RelatedLocation, SourceLocation } from '../findings/finding.js';
import type { ConfigOrigin, ConfigRequest, ConfigValue } from '../model/types.js';
import type { UserAssignment } from './apply-user-values.js';
import { parseConfigFile, quoteConfigString } from './config-file.js';
import { exprToString, orTerms, andFactors } from './expr-to-string.js';
import type { KconfigTree } from './kconfig-tree.js';
import { F_DEF_USER, MOD, NO, YES, type Expr, type KSymbol, type Tristate } from './model.js';
import { olddefconfig } from './olddefconfig.js';
import { describeOrigin, sourceOrigin, sourceWhere, type ValueSource } from './provenance.js';
import { suggestSymbolNames } from './suggest-symbol-names.js';

export interface ResolveConfigInput {
  /** Base .config text (a full config or a defconfig-style minimal one). */
  base: string;
  /** Where base lines are reported (file path), and who they belong to. */
  baseFile?: string;
  baseOrigin?: ConfigOrigin;
  /** Requested values in order: later ones win, like fragments appended after the base. */
  requests: readonly ConfigRequest[];
}

export interface ResolvedConfig {
  readonly tree: KconfigTree;
  /** The resolved .config (what `make olddefconfig` writes). */
  readonly configText: string;
  /** One finding per requested symbol whose value did not survive (or is unknown/ambiguous). */
  readonly findings: Finding[];
  /** Final value of every written symbol: `y`, `m`, `n`, or the string/number text (unquoted). */
  readonly values: ReadonlyMap<string, string>;
  /** Loaded values in order, with where each came from. */
  readonly sources: readonly ValueSource[];
  /** Evaluation generation this result corresponds to (see explainSymbol). */
  readonly generation: number;
}

/** `y`, `m`, `"text"`, `42`: a request's value as a .config line writes it. */
export function configValueText(v: ConfigValue): string {
  return v.type === 'string' ? quoteConfigString(v.value) : v.value;
}

let generationCounter = 0;

/**
 * Resolve a base config plus requests exactly as appending the requests to the base and running
 * `make olddefconfig`, and explain every request that did not survive.
 */
export function resolveConfig(tree: KconfigTree, input: ResolveConfigInput): ResolvedConfig {
  const sources: ValueSource[] = [];
  const assignments: UserAssignment[] = [];
  const baseOrigin = input.baseOrigin ?? { kind: 'base', name: '' };
  for (const a of parseConfigFile(input.base).assignments) {
    sources.push({
      kind: 'base',
      name: a.name,
      line: a.line,
      raw: a.raw,
      where: { file: input.baseFile ?? 'base config', line: a.line, col: 0 },
      origin: baseOrigin,
    });
    assignments.push({ name: a.name, raw: a.raw, source: sources.length - 1 });
  }
  const applicable = input.requests
    .map((request, index) => ({ request, index }))
    .filter(({ request }) => !request.arch || !tree.arch || request.arch === tree.arch);
  for (const { request, index } of applicable) {
    const raw = configValueText(request.value);
    sources.push({ kind: 'request', name: request.symbol, index, request, raw });
    assignments.push({ name: request.symbol, raw, source: sources.length - 1 });
  }
  const result = olddefconfig(tree, assignments);
  const generation = ++generationCounter;
  (tree.evaluator as { generation?: number }).generation = generation;

  const values = new Map<string, string>();
  // what the written .config says, straight from the evaluator (no second parse of the text)
  for (const sym of result.written) if (sym.type !== 'unknown' && sym.name !== null) values.set(sym.name, tree.evaluator.stringValue(sym));
  const checker = new RequestChecker(tree, sources, values);
  const findings = checker.check(sources.filter((s): s is Extract<ValueSource, { kind: 'request' }> => s.kind === 'request'));
  return { tree, configText: result.configText, findings, values, sources, generation };
}

type RequestSource = Extract<ValueSource, { kind: 'request' }>;

const TRI_NAMES = ['n', 'm', 'y'] as const;

class RequestChecker {
  private readonly ev;
  constructor(
    private readonly tree: KconfigTree,
    private readonly sources: readonly ValueSource[],
    private readonly values: ReadonlyMap<string, string>,
  ) {
    this.ev = tree.evaluator;
  }

  check(requests: RequestSource[]): Finding[] {
    // the last request per symbol is the effective one
    const effective = new Map<string, RequestSource>();
    for (const r of requests) effective.set(r.request.symbol, r);
    const ordered = [...effective.values()].sort((a, b) => a.index - b.index);
    const choiceLosers = this.choiceConflicts(ordered);
    const findings: Finding[] = [];
    for (const r of ordered) {
      const f = this.checkOne(r, choiceLosers);
      if (f) findings.push(f);
    }
    return findings;
  }

  /** Choice members requested y, per choice: the member that wins (last requested). */
  private choiceConflicts(requests: RequestSource[]): Map<RequestSource, RequestSource> {
    const byChoice = new Map<KSymbol, RequestSource[]>();
    for (const r of requests) {
      const sym = this.tree.symbols.find(r.request.symbol);
      if (!sym || !sym.isChoiceValue || r.raw !== 'y') continue;
      const choice = sym.choiceOf()!;
      byChoice.set(choice, [...(byChoice.get(choice) ?? []), r]);
    }
    const losers = new Map<RequestSource, RequestSource>();
    for (const list of byChoice.values()) {
      if (list.length < 2) continue;
      const winner = list[list.length - 1]!;
      for (const r of list.slice(0, -1)) losers.set(r, winner);
    }
    return losers;
  }

  private finding(r: RequestSource, code: Finding['code'], severity: 'error' | 'warning', message: string, related: RelatedLocation[], hint?: string): Finding {
    const origin = r.request.origin;
    return {
      code,
      severity,
      message,
      where: r.request.where,
      related,
      ...(origin.kind === 'feature' ? { feature: origin.name } : {}),
      ...(this.tree.arch ? { arch: this.tree.arch } : {}),
      ...(hint ? { hint } : {}),
    };
  }

  private setBy(sym: KSymbol): ValueSource | undefined {
    return sym.userSource >= 0 ? this.sources[sym.userSource] : undefined;
  }

  private valueOf(sym: KSymbol): string {
    if (sym.type === 'bool' || sym.type === 'tristate') return TRI_NAMES[sym.curr.tri];
    return typeof sym.curr.val === 'string' ? sym.curr.val : '';
  }

  private checkOne(r: RequestSource, losers: Map<RequestSource, RequestSource>): Finding | undefined {
    const name = r.request.symbol;
    const label = `CONFIG_${name}=${r.raw}`;
    const sym = this.tree.symbols.find(name);
    if (!sym || sym.type === 'unknown' || sym.flags & 0x0001) {
      const suggestions = suggestSymbolNames(name, this.tree.symbols.names());
      return this.finding(
        r,
        'E_KCONFIG_UNKNOWN',
        'error',
        `CONFIG_${name} does not exist in this kernel (${this.tree.kernelVersion}, ${this.tree.srcarch})`,
        [],
        suggestions.length ? `did you mean ${suggestions.map((s) => `CONFIG_${s}`).join(', ')}?` : undefined,
      );
    }
    const winner = losers.get(r);
    if (winner) {
      const choice = sym.choiceOf()!;
      return this.finding(
        r,
        'E_KCONFIG_CHOICE',
        'error',
        `${label} conflicts with CONFIG_${winner.request.symbol}=y: both are members of the choice "${choice.definitions()[0]?.prompt?.text ?? '<choice>'}" and only one can be selected (CONFIG_${winner.request.symbol} wins, requested later)`,
        [
          { message: `CONFIG_${winner.request.symbol}=y requested by ${describeOrigin(winner.request.origin)}`, where: winner.request.where },
          ...this.definedAt(choice, 'choice defined here'),
        ],
      );
    }
    const wanted = r.request.value.type === 'string' ? r.request.value.value : r.raw;
    const got = this.values.get(name) ?? this.valueOf(sym);
    if (sym.type === 'bool' || sym.type === 'tristate') return this.checkTristate(r, sym, label, wanted, got);
    if (normalizeNumber(sym.type, wanted) === normalizeNumber(sym.type, got)) return undefined;
    return this.checkValue(r, sym, label, got);
  }

  private checkTristate(r: RequestSource, sym: KSymbol, label: string, wanted: string, got: string): Finding | undefined {
    if (r.request.value.type !== 'tristate' || !/^[ymn]$/.test(wanted) || (sym.type === 'bool' && wanted === 'm')) {
      return this.finding(r, 'E_KCONFIG_TYPE', 'error', `${label}: CONFIG_${sym.name} is ${sym.type === 'bool' ? 'a bool (y or n)' : 'a tristate (y, m or n)'}`, this.definedAt(sym, 'defined here'));
    }
    if (wanted === got) return undefined;
    const want = TRI_NAMES.indexOf(wanted as 'n') as Tristate;
    const have = TRI_NAMES.indexOf(got as 'n') as Tristate;
    if (want === MOD && have === YES) return this.promoted(r, sym, label);
    if (want === NO) return this.cannotDisable(r, sym, label, have);
    return this.unmet(r, sym, label, want, got);
  }

  private promoted(r: RequestSource, sym: KSymbol, label: string): Finding | undefined {
    if (r.request.acceptPromotion) return undefined;
    const hint = 'declare y-or-m as acceptable for this symbol in the feature to silence this';
    if (sym.revDepTri === YES) {
      const selectors = this.activeTerms(sym.revDep, YES);
      return this.finding(
        r,
        'W_KCONFIG_PROMOTED',
        'warning',
        `${label} became y: selected by ${selectors.map((s) => `${s.name}=y`).join(', ')}`,
        selectors.flatMap((s) => this.whoSet(s, `${s.name}=y`, sym, 'select')),
        hint,
      );
    }
    if (this.ev.modulesVal === NO) {
      return this.finding(r, 'W_KCONFIG_PROMOTED', 'warning', `${label} became y: loadable modules are disabled (CONFIG_${this.tree.modules.name}=n)`, this.whoSet(this.tree.modules, `${this.tree.modules.name}=n`), hint);
    }
    return this.finding(r, 'W_KCONFIG_PROMOTED', 'warning', `${label} became y (${sym.isChoiceValue ? 'it is a member of a choice set to y' : 'its prompt is not visible and its default is y'})`, this.definedAt(sym, 'defined here'), hint);
  }

  private cannotDisable(r: RequestSource, sym: KSymbol, label: string, have: Tristate): Finding {
    const got = TRI_NAMES[have];
    if (sym.revDepTri !== NO) {
      const selectors = this.activeTerms(sym.revDep, sym.revDepTri);
      return this.finding(
        r,
        'E_KCONFIG_UNMET',
        'error',
        `${label} cannot be met: it stays ${got} because it is selected by ${selectors.map((s) => `${s.name}=${this.valueOf(s)}`).join(', ')}`,
        selectors.flatMap((s) => this.whoSet(s, `${s.name}=${this.valueOf(s)}`, sym, 'select')),
        `disable the selecting symbol${selectors.length > 1 ? 's' : ''} too`,
      );
    }
    if (sym.isChoiceValue) {
      const choice = sym.choiceOf()!;
      return this.finding(
        r,
        'E_KCONFIG_UNMET',
        'error',
        `${label} cannot be met: it is the selected member of the choice "${choice.definitions()[0]?.prompt?.text ?? '<choice>'}", which needs one member`,
        this.definedAt(choice, 'choice defined here'),
        'request another member of the choice =y instead',
      );
    }
    if (sym.visible === NO) {
      return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: CONFIG_${sym.name} has no visible prompt, so its default (${got}) applies`, [...this.defaultRelated(sym), ...this.impliedRelated(sym)]);
    }
    return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: it resolved to ${got}`, this.definedAt(sym, 'defined here'));
  }

  private unmet(r: RequestSource, sym: KSymbol, label: string, want: Tristate, got: string): Finding {
    const related: RelatedLocation[] = [];
    let reason: string;
    let hint: string | undefined;
    if (sym.dirDep && sym.dirDepTri < want && !sym.isChoiceValue) {
      const blockers = this.blockers(sym.dirDep, want);
      reason = `depends on ${shorten(exprToString(sym.dirDep))}${blockers.length ? `, and ${blockers.map((b) => `${b.name}=${this.valueOf(b)}`).join(', ')}` : ''}`;
      related.push(...this.rootCauses(blockers));
    } else if (sym.visible < want) {
      const prompts = sym.props.filter((p) => p.text !== undefined);
      if (!prompts.length) {
        reason = `CONFIG_${sym.name} has no prompt: only select or a default can enable it`;
        const selectors = orTerms(sym.revDep).map((t) => andFactors(t)[0]).filter((e): e is Extract<Expr, { kind: 'symbol' }> => e?.kind === 'symbol');
        if (selectors.length) hint = `enable a symbol that selects it: ${[...new Set(selectors.map((s) => `CONFIG_${s.sym.name}`))].slice(0, 5).join(', ')}`;
        related.push(...this.definedAt(sym, 'defined here'));
      } else {
        const cond = prompts.map((p) => p.visibleExpr).reduce<Expr | null>((a, b) => (a && b ? { kind: 'or', left: a, right: b } : (a ?? b)), null);
        const blockers = cond ? this.blockers(cond, want) : [];
        reason = `its prompt is visible only if ${shorten(exprToString(cond))}${blockers.length ? `, and ${blockers.map((b) => `${b.name}=${this.valueOf(b)}`).join(', ')}` : ''}`;
        related.push(...this.rootCauses(blockers), ...prompts.map((p) => ({ message: 'prompt defined here', where: p.where })));
      }
    } else {
      reason = `it resolved to ${got}`;
      related.push(...this.definedAt(sym, 'defined here'));
    }
    return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: ${reason}`, related, hint);
  }

  private checkValue(r: RequestSource, sym: KSymbol, label: string, got: string): Finding {
    if (r.request.value.type === 'tristate') {
      return this.finding(r, 'E_KCONFIG_TYPE', 'error', `${label}: CONFIG_${sym.name} is ${sym.type === 'int' ? 'an int' : `a ${sym.type}`}, not a tristate`, this.definedAt(sym, 'defined here'));
    }
    if (!sym.hasUserValue && sym.visible !== NO && !this.ev.stringWithinRange(sym, r.request.value.value)) {
      const range = this.ev.rangeProp(sym);
      if (range) {
        return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: out of range ${range.rangeLow!.name}..${range.rangeHigh!.name} (resolved to ${got || '""'})`, [{ message: 'range defined here', where: range.where }]);
      }
      return this.finding(r, 'E_KCONFIG_TYPE', 'error', `${label}: not a valid ${sym.type} value`, this.definedAt(sym, 'defined here'));
    }
    if (sym.visible === NO) {
      if (sym.dirDep && sym.dirDepTri === NO) {
        const blockers = this.blockers(sym.dirDep, YES);
        return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: depends on ${shorten(exprToString(sym.dirDep))}${blockers.length ? `, and ${blockers.map((b) => `${b.name}=${this.valueOf(b)}`).join(', ')}` : ''}`, this.rootCauses(blockers));
      }
      return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: CONFIG_${sym.name} has no visible prompt, so its default (${got || '""'}) applies`, this.defaultRelated(sym));
    }
    return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: it resolved to ${sym.type === 'string' ? quoteConfigString(got) : got}`, this.definedAt(sym, 'defined here'));
  }

  // ---- explanation helpers -----------------------------------------------------------------

  private definedAt(sym: KSymbol, message: string): RelatedLocation[] {
    return sym.definitions().slice(0, 2).map((m) => ({ message, where: m.where }));
  }

  private defaultRelated(sym: KSymbol): RelatedLocation[] {
    for (const p of sym.props) {
      if (p.type === 'default' && p.visibleTri !== NO) return [{ message: `default ${exprToString(p.expr)}${p.visibleExpr ? ` if ${shorten(exprToString(p.visibleExpr), 120)}` : ''}`, where: p.where }];
    }
    return this.definedAt(sym, 'defined here');
  }

  private impliedRelated(sym: KSymbol): RelatedLocation[] {
    if (sym.impliedTri === NO) return [];
    return this.activeTerms(sym.implied, sym.impliedTri).flatMap((s) => this.whoSet(s, `${s.name}=${this.valueOf(s)} implies it`, sym, 'imply'));
  }

  /** Symbols of the `||` terms (`SELECTOR && cond`) whose value reaches `level`. */
  private activeTerms(e: Expr | null, level: Tristate): KSymbol[] {
    const out: KSymbol[] = [];
    for (const t of orTerms(e)) {
      if (this.ev.exprValue(t) < level) continue;
      const first = andFactors(t)[0];
      if (first?.kind === 'symbol' && !out.includes(first.sym)) out.push(first.sym);
    }
    return out;
  }

  /** Who gave `sym` its value (a request or base line), and where the select/imply is written. */
  private whoSet(sym: KSymbol, what: string, target?: KSymbol, via?: 'select' | 'imply'): RelatedLocation[] {
    const out: RelatedLocation[] = [];
    const src = this.setBy(sym);
    if (src) out.push({ message: `CONFIG_${what.replace(/ implies it$/, '')} set by ${describeOrigin(sourceOrigin(src))}`, where: sourceWhere(src) });
    if (target && via) {
      const p = sym.props.find((q) => q.type === via && q.expr?.kind === 'symbol' && q.expr.sym === target);
      if (p) out.push({ message: `${sym.name} ${via}s ${target.name} here`, where: p.where });
    }
    if (!src && !(target && via)) out.push(...this.definedAt(sym, `CONFIG_${what} by default`));
    return out;
  }

  /** Leaf symbols that keep `e` below `want`. */
  private blockers(e: Expr, want: Tristate): KSymbol[] {
    const out: KSymbol[] = [];
    const add = (s: KSymbol): void => {
      if (s.flags & 0x0001 || s === this.tree.symbols.yes || s === this.tree.symbols.mod || s === this.tree.symbols.no) return;
      if (!out.includes(s)) out.push(s);
    };
    const walk = (x: Expr, need: Tristate, high: boolean): void => {
      const v = this.ev.exprValue(x);
      if (!high && v >= need) return;
      if (high && v <= need) return;
      switch (x.kind) {
        case 'symbol':
          add(x.sym);
          return;
        case 'and':
          if (high) {
            walk(x.left, need, true);
            walk(x.right, need, true);
          } else {
            walk(x.left, need, false);
            walk(x.right, need, false);
          }
          return;
        case 'or':
          walk(x.left, need, high);
          walk(x.right, need, high);
          return;
        case 'not':
          walk(x.operand, (2 - need) as Tristate, !high);
          return;
        case 'compare':
          add(x.left);
          add(x.right);
          return;
      }
    };
    walk(e, want, false);
    return out;
  }

  /**
   * For each blocking symbol, the request or base line that set it; for symbols nobody set, look
   * through their own dependencies (a few levels) for the setting that caused them to be off.
   */
  private rootCauses(blockers: KSymbol[]): RelatedLocation[] {
    const out: RelatedLocation[] = [];
    const seen = new Set<KSymbol>();
    const visit = (s: KSymbol, depth: number): void => {
      if (seen.has(s) || out.length >= 8) return;
      seen.add(s);
      const src = this.setBy(s);
      // A setting explains the value only if the value is what was set.
      if (src && src.raw.replace(/^"|"$/g, '') === this.valueOf(s)) {
        out.push({ message: `CONFIG_${s.name}=${src.raw} set by ${describeOrigin(sourceOrigin(src))}`, where: sourceWhere(src) });
        return;
      }
      if (depth < 6 && s.dirDep && s.dirDepTri < YES) {
        const next = this.blockers(s.dirDep, s.type === 'tristate' && s.dirDepTri === NO ? MOD : YES);
        if (next.length) {
          for (const n of next) visit(n, depth + 1);
          return;
        }
      }
      if (depth === 0) out.push(...this.definedAt(s, `CONFIG_${s.name}=${this.valueOf(s)} (its default)`));
    };
    for (const b of blockers) visit(b, 0);
    return out;
  }
}

function normalizeNumber(type: string, v: string): string {
  if (type === 'hex') return v.toLowerCase().replace(/^0x/, '').replace(/^0+(?=.)/, '');
  return v;
}

function shorten(s: string, max = 240): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export type { SourceLocation };
