import type { Finding, SourceLocation } from '../findings/finding.js';
import type { ConfigOrigin, ConfigRequest, ConfigValue } from '../model/types.js';
import type { UserAssignment } from './apply-user-values.js';
import { parseConfigFile, quoteConfigString } from './config-file.js';
import type { KconfigTree } from './kconfig-tree.js';
import { olddefconfig } from './olddefconfig.js';
import type { ValueSource } from './provenance.js';
import { RequestChecker, type RequestSource } from './request-checker.js';

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
  for (const a of parseConfigFile(input.base, { strictNotSet: tree.dialect.strictNotSet }).assignments) {
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
  const findings = checker.check(sources.filter((s): s is RequestSource => s.kind === 'request'));
  return { tree, configText: result.configText, findings, values, sources, generation };
}

export type { SourceLocation };
