import type { SourceLocation } from '../findings/finding.js';
import { formatLocation } from '../findings/format-finding.js';
import type { ConfigRequest } from '../model/types.js';
import { andFactors, exprToString, orTerms } from './expr-to-string.js';
import type { KconfigTree } from './kconfig-tree.js';
import { NO, type Expr, type KSymbol, type Tristate } from './model.js';
import { olddefconfig } from './olddefconfig.js';
import { describeOrigin, sourceOrigin, sourceWhere } from './provenance.js';
import type { ResolvedConfig } from './resolve-config.js';
import { suggestSymbolNames } from './suggest-symbol-names.js';

const TRI = ['n', 'm', 'y'] as const;

export interface ExplainedSetter {
  value: string;
  by: string;
  where: SourceLocation;
}

export interface ExplainedCondition {
  /** Kconfig text of the condition. */
  expr: string;
  value: string;
  where?: SourceLocation;
}

export interface ExplainedReverse {
  symbol: string;
  symbolValue: string;
  condition: string;
  active: boolean;
  where?: SourceLocation;
  setBy?: ExplainedSetter;
}

export interface SymbolExplanation {
  symbol: string;
  exists: boolean;
  suggestions: string[];
  type?: string;
  value?: string;
  definitions: Array<{ where: SourceLocation; prompt?: string }>;
  /** Every request for the symbol (later wins) and the base line, if any. */
  setBy: ExplainedSetter[];
  dependsOn?: ExplainedCondition;
  visible?: string;
  prompts: ExplainedCondition[];
  selectedBy: ExplainedReverse[];
  impliedBy: ExplainedReverse[];
  defaults: Array<ExplainedCondition & { default: string; active: boolean }>;
  choice?: { prompt: string; selected?: string; rule?: string };
  range?: { low: string; high: string; where: SourceLocation };
  /** One sentence: why the symbol has its value. */
  reason: string;
}

/**
 * Why a symbol has its value in a resolved config: its definitions, who requested what, its
 * dependencies, the selects and implies that apply, the defaults, and a one-line reason.
 */
export function explainSymbol(
  tree: KconfigTree,
  resolved: ResolvedConfig,
  symbol: string,
  requests: readonly ConfigRequest[] = [],
): SymbolExplanation {
  const name = symbol.replace(/^CONFIG_/, '');
  const ev = tree.evaluator;
  if ((ev as { generation?: number }).generation !== resolved.generation) {
    // the tree was used for another resolve since: replay this one
    olddefconfig(
      tree,
      resolved.sources.map((s, i) => ({ name: s.name, raw: s.raw, source: i })),
    );
    (ev as { generation?: number }).generation = resolved.generation;
  }
  const sym = tree.symbols.find(name);
  const empty: SymbolExplanation = {
    symbol: name,
    exists: false,
    suggestions: [],
    definitions: [],
    setBy: [],
    prompts: [],
    selectedBy: [],
    impliedBy: [],
    defaults: [],
    reason: '',
  };
  if (!sym || sym.type === 'unknown') {
    const suggestions = suggestSymbolNames(name, tree.symbols.names());
    return { ...empty, suggestions, reason: `CONFIG_${name} does not exist in this kernel (${tree.kernelVersion}, ${tree.srcarch})` };
  }
  const val = (s: KSymbol): string => {
    ev.calcValue(s);
    return s.type === 'bool' || s.type === 'tristate' ? TRI[s.curr.tri] : typeof s.curr.val === 'string' ? s.curr.val : '';
  };
  const tri = (t: Tristate): string => TRI[t];
  const setterOf = (s: KSymbol): ExplainedSetter | undefined => {
    const src = s.userSource >= 0 ? resolved.sources[s.userSource] : undefined;
    return src ? { value: src.raw, by: describeOrigin(sourceOrigin(src)), where: sourceWhere(src) } : undefined;
  };
  const reverse = (e: Expr | null, target: KSymbol, via: 'select' | 'imply'): ExplainedReverse[] =>
    orTerms(e).map((t) => {
      const factors = andFactors(t);
      const first = factors[0];
      const selector = first?.kind === 'symbol' ? first.sym : undefined;
      const cond = factors.slice(1).reduce<Expr | null>((a, b) => (a ? { kind: 'and', left: a, right: b } : b), null);
      const prop = selector?.props.find((p) => p.type === via && p.expr?.kind === 'symbol' && p.expr.sym === target);
      const setBy = selector ? setterOf(selector) : undefined;
      return {
        symbol: selector?.name ?? exprToString(t),
        symbolValue: selector ? val(selector) : '',
        condition: exprToString(cond),
        active: ev.exprValue(t) !== NO,
        ...(prop ? { where: prop.where } : {}),
        ...(setBy ? { setBy } : {}),
      };
    });

  const value = val(sym);
  const setBy: ExplainedSetter[] = [];
  for (const s of resolved.sources) {
    if (s.kind === 'request' && s.name === name) setBy.push({ value: s.raw, by: describeOrigin(s.request.origin), where: s.request.where });
  }
  const baseSetter = setterOf(sym);
  if (baseSetter && !setBy.some((s) => s.where === baseSetter.where)) setBy.unshift(baseSetter);
  void requests;

  const prompts = sym.props
    .filter((p) => p.text !== undefined)
    .map((p) => ({ expr: exprToString(p.visibleExpr), value: tri(p.visibleTri), where: p.where, text: p.text }));
  const defaults = sym.props
    .filter((p) => p.type === 'default')
    .map((p) => {
      const active = ev.exprValue(p.visibleExpr) !== NO;
      return { default: exprToString(p.expr), expr: exprToString(p.visibleExpr), value: active ? 'y' : 'n', active, where: p.where };
    });
  const range = ev.rangeProp(sym);
  const choice = sym.isChoiceValue ? sym.choiceOf() : undefined;
  const selectedBy = reverse(sym.revDep, sym, 'select');
  const impliedBy = reverse(sym.implied, sym, 'imply');
  const explanation: SymbolExplanation = {
    symbol: name,
    exists: true,
    suggestions: [],
    type: sym.type,
    value,
    definitions: sym.definitions().map((m) => ({ where: m.where, ...(m.prompt?.text ? { prompt: m.prompt.text } : {}) })),
    setBy,
    ...(sym.dirDep
      ? { dependsOn: { expr: exprToString(sym.dirDep), value: tri(sym.isChoiceValue ? ev.exprValue(sym.dirDep) : sym.dirDepTri) } }
      : {}),
    visible: tri(sym.visible),
    prompts: prompts.map(({ text: _t, ...p }) => p),
    selectedBy,
    impliedBy,
    defaults,
    ...(choice ? { choice: describeChoice(tree, choice, setterOf) } : {}),
    ...(range ? { range: { low: range.rangeLow!.name ?? '', high: range.rangeHigh!.name ?? '', where: range.where } } : {}),
    reason: '',
  };
  explanation.reason = reasonFor(explanation, sym);
  return explanation;
}

/** The choice a member belongs to, its selected member and (6.11+) the rule that picked it. */
function describeChoice(
  tree: KconfigTree,
  choice: KSymbol,
  setterOf: (s: KSymbol) => ExplainedSetter | undefined,
): NonNullable<SymbolExplanation['choice']> {
  const prompt = choice.definitions()[0]?.prompt?.text ?? '<choice>';
  if (tree.dialect.choices !== 'menu') {
    return { prompt, ...(choice.curr.val && typeof choice.curr.val !== 'string' ? { selected: choice.curr.val.name ?? '' } : {}) };
  }
  const d = tree.evaluator.choiceDecisions.get(choice);
  if (!d?.selected) return { prompt, rule: 'no member of the choice is visible' };
  const name = d.selected.name ?? '';
  const setter = setterOf(d.selected);
  const by = setter ? ` (set by ${setter.by} at ${formatLocation(setter.where)})` : '';
  const rejected = d.rejectedDefault ? `the choice's default ${d.rejectedDefault.name} is set to n` : `no default of the choice is visible`;
  const rule =
    d.rule === 'user-y'
      ? `${name}=y${by} is the visible member set to y that was read last`
      : d.rule === 'default'
        ? `no visible member is set to y, so the choice's default ${name} applies`
        : d.rule === 'first-unset'
          ? `no visible member is set to y and ${rejected}, so the first visible member without a value, ${name}, is taken`
          : `every visible member is set to n; a choice needs one, so ${name}, the one set to n earliest${by}, stays y`;
  return { prompt, selected: name, rule: `${rule} (Linux ${tree.kernelVersion} choice rules)` };
}

function reasonFor(x: SymbolExplanation, sym: KSymbol): string {
  const v = x.value ?? '';
  const lastSet = x.setBy[x.setBy.length - 1];
  const activeSelects = x.selectedBy.filter((s) => s.active);
  if (activeSelects.length && v !== 'n' && (!lastSet || lastSet.value !== v)) {
    return `${v} because it is selected by ${activeSelects.map((s) => `${s.symbol}=${s.symbolValue}`).join(', ')}`;
  }
  if (x.dependsOn && x.dependsOn.value === 'n' && v === 'n') return `n because its dependencies are not met: ${x.dependsOn.expr}`;
  if (x.choice) {
    const why = x.choice.rule ? `: ${x.choice.rule}` : '';
    return x.choice.selected === sym.name
      ? `y: selected member of the choice "${x.choice.prompt}"${why}`
      : `${v}: the choice "${x.choice.prompt}" selects ${x.choice.selected ?? 'nothing'}${why}`;
  }
  if (lastSet && x.visible !== 'n') {
    const wanted = lastSet.value.replace(/^"|"$/g, '');
    return wanted === v
      ? `${v} as set by ${lastSet.by} (${formatLocation(lastSet.where)})`
      : `${v}: ${lastSet.by} asked for ${lastSet.value} but it is limited to ${x.visible} by its dependencies`;
  }
  if (x.visible === 'n') {
    const d = x.defaults.find((q) => q.active);
    const activeImplies = x.impliedBy.filter((s) => s.active);
    if (activeImplies.length) return `${v}: implied by ${activeImplies.map((s) => `${s.symbol}=${s.symbolValue}`).join(', ')}`;
    return d
      ? `${v} from its default (${d.default}${d.expr !== 'y' ? ` if ${d.expr}` : ''}) because it has no visible prompt`
      : `${v}: no visible prompt and no active default`;
  }
  const d = x.defaults.find((q) => q.active);
  return d ? `${v} from its default (${d.default}) as nobody set it` : `${v}: not set by anyone and no default applies`;
}

/** Human-readable rendering of an explanation. */
export function formatExplanation(x: SymbolExplanation): string {
  if (!x.exists) {
    return [
      `CONFIG_${x.symbol}: ${x.reason}`,
      ...(x.suggestions.length ? [`  did you mean ${x.suggestions.map((s) => `CONFIG_${s}`).join(', ')}?`] : []),
    ].join('\n');
  }
  const lines = [`CONFIG_${x.symbol}=${x.type === 'string' ? JSON.stringify(x.value) : x.value} (${x.type})`, `  why: ${x.reason}`];
  for (const d of x.definitions) lines.push(`  defined at ${formatLocation(d.where)}${d.prompt ? `: "${d.prompt}"` : ' (no prompt)'}`);
  for (const s of x.setBy) lines.push(`  set to ${s.value} by ${s.by} at ${formatLocation(s.where)}`);
  if (x.dependsOn) lines.push(`  depends on [${x.dependsOn.value}]: ${x.dependsOn.expr}`);
  lines.push(`  prompt visible: ${x.visible}`);
  if (x.choice)
    lines.push(
      `  member of choice "${x.choice.prompt}" (selected: ${x.choice.selected ?? 'none'}${x.choice.rule ? `; ${x.choice.rule}` : ''})`,
    );
  for (const s of x.selectedBy) {
    lines.push(
      `  selected by [${s.active ? s.symbolValue : 'n'}]: ${s.symbol}${s.condition !== 'y' ? ` if ${s.condition}` : ''}${s.where ? ` (${formatLocation(s.where)})` : ''}${s.setBy ? `; ${s.symbol}=${s.setBy.value} set by ${s.setBy.by} at ${formatLocation(s.setBy.where)}` : ''}`,
    );
  }
  for (const s of x.impliedBy) {
    lines.push(
      `  implied by [${s.active ? s.symbolValue : 'n'}]: ${s.symbol}${s.condition !== 'y' ? ` if ${s.condition}` : ''}${s.where ? ` (${formatLocation(s.where)})` : ''}`,
    );
  }
  for (const d of x.defaults)
    lines.push(
      `  default ${d.default}${d.expr !== 'y' ? ` if ${d.expr}` : ''} [${d.active ? 'active' : 'inactive'}]${d.where ? ` (${formatLocation(d.where)})` : ''}`,
    );
  if (x.range) lines.push(`  range ${x.range.low} ${x.range.high} (${formatLocation(x.range.where)})`);
  return lines.join('\n');
}
