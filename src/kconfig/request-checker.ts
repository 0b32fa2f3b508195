import type { Finding, RelatedLocation } from '../findings/finding.js';
import { andFactors, exprToString, orTerms } from './expr-to-string.js';
import type { KconfigTree } from './kconfig-tree.js';
import { MOD, NO, YES, type Expr, type KSymbol, type Tristate } from './model.js';
import { describeOrigin, type ValueSource } from './provenance.js';
import { quoteConfigString } from './config-file.js';
import { suggestSymbolNames } from './suggest-symbol-names.js';
import { shorten, ValueCauses } from './value-causes.js';

export type RequestSource = Extract<ValueSource, { kind: 'request' }>;

const TRI_NAMES = ['n', 'm', 'y'] as const;

/**
 * One finding per requested symbol whose value did not survive a resolve: unknown symbols, type
 * mismatches, two members of one choice, unmet dependencies, selects keeping a symbol on, and
 * m promoted to y; the reasons come from ValueCauses.
 */
export class RequestChecker {
  private readonly ev;
  private readonly causes: ValueCauses;
  constructor(
    private readonly tree: KconfigTree,
    sources: readonly ValueSource[],
    private readonly values: ReadonlyMap<string, string>,
  ) {
    this.ev = tree.evaluator;
    this.causes = new ValueCauses(tree, sources);
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

  private finding(
    r: RequestSource,
    code: Finding['code'],
    severity: 'error' | 'warning',
    message: string,
    related: RelatedLocation[],
    hint?: string,
  ): Finding {
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
          {
            message: `CONFIG_${winner.request.symbol}=y requested by ${describeOrigin(winner.request.origin)}`,
            where: winner.request.where,
          },
          ...this.causes.definedAt(choice, 'choice defined here'),
        ],
      );
    }
    const wanted = r.request.value.type === 'string' ? r.request.value.value : r.raw;
    const got = this.values.get(name) ?? this.causes.valueOf(sym);
    if (sym.type === 'bool' || sym.type === 'tristate') return this.checkTristate(r, sym, label, wanted, got);
    if (normalizeNumber(sym.type, wanted) === normalizeNumber(sym.type, got)) return undefined;
    return this.checkValue(r, sym, label, got);
  }

  private checkTristate(r: RequestSource, sym: KSymbol, label: string, wanted: string, got: string): Finding | undefined {
    if (r.request.value.type !== 'tristate' || !/^[ymn]$/.test(wanted) || (sym.type === 'bool' && wanted === 'm')) {
      return this.finding(
        r,
        'E_KCONFIG_TYPE',
        'error',
        `${label}: CONFIG_${sym.name} is ${sym.type === 'bool' ? 'a bool (y or n)' : 'a tristate (y, m or n)'}`,
        this.causes.definedAt(sym, 'defined here'),
      );
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
      const selectors = this.causes.activeTerms(sym.revDep, YES);
      return this.finding(
        r,
        'W_KCONFIG_PROMOTED',
        'warning',
        `${label} became y: selected by ${selectors.map((s) => `${s.name}=y`).join(', ')}`,
        selectors.flatMap((s) => this.causes.whoSet(s, `${s.name}=y`, sym, 'select')),
        hint,
      );
    }
    if (this.ev.modulesVal === NO) {
      return this.finding(
        r,
        'W_KCONFIG_PROMOTED',
        'warning',
        `${label} became y: loadable modules are disabled (CONFIG_${this.tree.modules.name}=n)`,
        this.causes.whoSet(this.tree.modules, `${this.tree.modules.name}=n`),
        hint,
      );
    }
    return this.finding(
      r,
      'W_KCONFIG_PROMOTED',
      'warning',
      `${label} became y (${sym.isChoiceValue ? 'it is a member of a choice set to y' : 'its prompt is not visible and its default is y'})`,
      this.causes.definedAt(sym, 'defined here'),
      hint,
    );
  }

  private cannotDisable(r: RequestSource, sym: KSymbol, label: string, have: Tristate): Finding {
    const got = TRI_NAMES[have];
    if (sym.revDepTri !== NO) {
      const selectors = this.causes.activeTerms(sym.revDep, sym.revDepTri);
      return this.finding(
        r,
        'E_KCONFIG_UNMET',
        'error',
        `${label} cannot be met: it stays ${got} because it is selected by ${selectors.map((s) => `${s.name}=${this.causes.valueOf(s)}`).join(', ')}`,
        selectors.flatMap((s) => this.causes.whoSet(s, `${s.name}=${this.causes.valueOf(s)}`, sym, 'select')),
        `disable the selecting symbol${selectors.length > 1 ? 's' : ''} too`,
      );
    }
    if (sym.isChoiceValue) {
      const choice = sym.choiceOf()!;
      const menuRule = this.tree.dialect.choices === 'menu' && this.ev.choiceDecisions.get(choice)?.rule === 'least-recent-n';
      return this.finding(
        r,
        'E_KCONFIG_UNMET',
        'error',
        `${label} cannot be met: it is the selected member of the choice "${choice.definitions()[0]?.prompt?.text ?? '<choice>'}", which needs one member${menuRule ? ' (every visible member is set to n, and this one was set to n earliest)' : ''}`,
        this.causes.definedAt(choice, 'choice defined here'),
        'request another member of the choice =y instead',
      );
    }
    if (sym.visible === NO) {
      return this.finding(
        r,
        'E_KCONFIG_UNMET',
        'error',
        `${label} cannot be met: CONFIG_${sym.name} has no visible prompt, so its default (${got}) applies`,
        [...this.causes.defaultRelated(sym), ...this.causes.impliedRelated(sym)],
      );
    }
    return this.finding(
      r,
      'E_KCONFIG_UNMET',
      'error',
      `${label} cannot be met: it resolved to ${got}`,
      this.causes.definedAt(sym, 'defined here'),
    );
  }

  private unmet(r: RequestSource, sym: KSymbol, label: string, want: Tristate, got: string): Finding {
    const related: RelatedLocation[] = [];
    let reason: string;
    let hint: string | undefined;
    if (sym.dirDep && sym.dirDepTri < want && !sym.isChoiceValue) {
      const blockers = this.causes.blockers(sym.dirDep, want);
      reason = `depends on ${shorten(exprToString(sym.dirDep))}${blockers.length ? `, and ${blockers.map((b) => `${b.name}=${this.causes.valueOf(b)}`).join(', ')}` : ''}`;
      related.push(...this.causes.rootCauses(blockers));
    } else if (sym.visible < want) {
      const prompts = sym.props.filter((p) => p.text !== undefined);
      if (!prompts.length) {
        reason = `CONFIG_${sym.name} has no prompt: only select or a default can enable it`;
        const selectors = orTerms(sym.revDep)
          .map((t) => andFactors(t)[0])
          .filter((e): e is Extract<Expr, { kind: 'symbol' }> => e?.kind === 'symbol');
        if (selectors.length)
          hint = `enable a symbol that selects it: ${[...new Set(selectors.map((s) => `CONFIG_${s.sym.name}`))].slice(0, 5).join(', ')}`;
        related.push(...this.causes.definedAt(sym, 'defined here'));
      } else {
        const cond = prompts
          .map((p) => p.visibleExpr)
          .reduce<Expr | null>((a, b) => (a && b ? { kind: 'or', left: a, right: b } : (a ?? b)), null);
        const blockers = cond ? this.causes.blockers(cond, want) : [];
        reason = `its prompt is visible only if ${shorten(exprToString(cond))}${blockers.length ? `, and ${blockers.map((b) => `${b.name}=${this.causes.valueOf(b)}`).join(', ')}` : ''}`;
        related.push(...this.causes.rootCauses(blockers), ...prompts.map((p) => ({ message: 'prompt defined here', where: p.where })));
      }
    } else {
      reason = `it resolved to ${got}`;
      related.push(...this.causes.definedAt(sym, 'defined here'));
    }
    return this.finding(r, 'E_KCONFIG_UNMET', 'error', `${label} cannot be met: ${reason}`, related, hint);
  }

  private checkValue(r: RequestSource, sym: KSymbol, label: string, got: string): Finding {
    if (r.request.value.type === 'tristate') {
      return this.finding(
        r,
        'E_KCONFIG_TYPE',
        'error',
        `${label}: CONFIG_${sym.name} is ${sym.type === 'int' ? 'an int' : `a ${sym.type}`}, not a tristate`,
        this.causes.definedAt(sym, 'defined here'),
      );
    }
    if (!sym.hasUserValue && sym.visible !== NO && !this.ev.stringWithinRange(sym, r.request.value.value)) {
      const range = this.ev.rangeProp(sym);
      if (range) {
        return this.finding(
          r,
          'E_KCONFIG_UNMET',
          'error',
          `${label} cannot be met: out of range ${range.rangeLow!.name}..${range.rangeHigh!.name} (resolved to ${got || '""'})`,
          [{ message: 'range defined here', where: range.where }],
        );
      }
      return this.finding(
        r,
        'E_KCONFIG_TYPE',
        'error',
        `${label}: not a valid ${sym.type} value`,
        this.causes.definedAt(sym, 'defined here'),
      );
    }
    if (sym.visible === NO) {
      if (sym.dirDep && sym.dirDepTri === NO) {
        const blockers = this.causes.blockers(sym.dirDep, YES);
        return this.finding(
          r,
          'E_KCONFIG_UNMET',
          'error',
          `${label} cannot be met: depends on ${shorten(exprToString(sym.dirDep))}${blockers.length ? `, and ${blockers.map((b) => `${b.name}=${this.causes.valueOf(b)}`).join(', ')}` : ''}`,
          this.causes.rootCauses(blockers),
        );
      }
      return this.finding(
        r,
        'E_KCONFIG_UNMET',
        'error',
        `${label} cannot be met: CONFIG_${sym.name} has no visible prompt, so its default (${got || '""'}) applies`,
        this.causes.defaultRelated(sym),
      );
    }
    return this.finding(
      r,
      'E_KCONFIG_UNMET',
      'error',
      `${label} cannot be met: it resolved to ${sym.type === 'string' ? quoteConfigString(got) : got}`,
      this.causes.definedAt(sym, 'defined here'),
    );
  }
}

function normalizeNumber(type: string, v: string): string {
  if (type === 'hex')
    return v
      .toLowerCase()
      .replace(/^0x/, '')
      .replace(/^0+(?=.)/, '');
  return v;
}
