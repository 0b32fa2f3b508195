import type { Finding } from '../../findings/finding.js';
import type { ConfigRequest, ConfigValue } from '../../model/types.js';
import { configWithProvenance, type DerivedLine } from './config-provenance.js';
import type { ConfigSource } from './config-sources.js';
import {
  predictConfigMismatches,
  showMismatch,
  variantMismatches,
  type ConfigResolver,
  type ConfigResolveRequest,
  type NewOption,
} from './resolved-config.js';
import { configLineSymbol, readConfigLines, setConfigValues } from './set-config-values.js';
import type { ValueScope } from './value-scope.js';

function valuesOf(requests: ReadonlyArray<{ symbol: string; value: ConfigValue }>): Map<string, ConfigValue> {
  return new Map(requests.map((r) => [r.symbol, r.value]));
}

/** kernel-local's lines as merge.py lays them over a Source (its own lines win). */
function mergeKernelLocal(text: string, values: ReadonlyMap<string, ConfigValue>, lines: readonly DerivedLine[]): string {
  const withValues = setConfigValues(text, values);
  if (!lines.length) return withValues;
  const bySym = new Map(lines.map((d) => [configLineSymbol(d.line)!, d.line]));
  const out: string[] = [];
  for (const line of withValues.replace(/\n$/, '').split('\n')) {
    const sym = configLineSymbol(line);
    if (sym !== undefined && bySym.has(sym)) {
      out.push(bySym.get(sym)!);
      bySym.delete(sym);
    } else out.push(line);
  }
  out.push(...bySym.values());
  return `${out.join('\n')}\n`;
}

interface Planned {
  c: ConfigSource;
  original: string;
  requests: ConfigRequest[];
  perArch: ConfigRequest[];
  derived: DerivedLine[];
  newOptions: NewOption[];
  request?: ConfigResolveRequest;
  baseline?: { sourceText: string; resolvedText: string };
}

function who(requests: readonly ConfigRequest[], symbols: readonly string[], place: (r: ConfigRequest) => string): string {
  const r = requests.find((q) => q.symbol === symbols[0]);
  if (!r) return "exposed by the variant's values";
  return `exposed by CONFIG_${r.symbol} (${r.origin.kind} ${r.origin.name}: ${place(r)})`;
}

/**
 * Each config Source of the variant's arches as the distribution wrote it, every line kept (the
 * `# <arch>` header first), with a marked block holding the requested values and — with a Kconfig
 * engine — every option `listnewconfig` shows only because of them, at the value olddefconfig
 * gives it (its comment names the request that exposed it), so the spec's `process_configs.sh -n
 * -c` passes. A line of the distribution that olddefconfig changes only because of the variant is
 * set to olddefconfig's value where it stands (W_OVERLAY_CONFIG_MISMATCH lists every one). New
 * options that are the same on every Source go to kernel-local when it takes every arch's values.
 * Then every written Source is resolved once more as the build will: anything `-n` or `-c` would
 * still report is E_OVERLAY_CONFIG_CHECK naming the symbol, the file and who asked.
 */
export async function overlayConfigSources(args: {
  variantName: string;
  configSources: readonly ConfigSource[];
  scope: ValueScope;
  original: (file: string) => string;
  outName: (file: string) => string;
  resolveConfig: ConfigResolver | undefined;
  /** kernel-local is merged into every config Source the spec has, and all of them are the variant's. */
  kernelLocalAllowed: boolean;
  place: (r: ConfigRequest) => string;
  findings: Finding[];
}): Promise<{ texts: Map<string, string>; kernelLocal: DerivedLine[] }> {
  const { scope, place, findings } = args;
  const everyArch = valuesOf(scope.kernelLocal);
  const planned: Planned[] = [];
  for (const c of args.configSources) {
    const perArch = scope.perArch.get(c.arch);
    if (!perArch) continue; // an arch the variant does not build keeps the distribution's config
    const original = args.original(c.file);
    const requests = [...scope.kernelLocal, ...perArch];
    const p: Planned = { c, original, requests, perArch, derived: [], newOptions: [] };
    planned.push(p);
    if (!args.resolveConfig) continue;
    const text = configWithProvenance(original, args.variantName, perArch, place);
    const request: ConfigResolveRequest = {
      arch: c.arch,
      file: args.outName(c.file),
      mergedText: setConfigValues(text, everyArch),
      baseText: original,
      requests,
    };
    const r = await args.resolveConfig(request);
    const baseline = r.baseResolvedText !== undefined ? { sourceText: original, resolvedText: r.baseResolvedText } : undefined;
    findings.push(...r.findings, ...predictConfigMismatches(request, r.text, baseline));
    p.request = request;
    if (baseline) p.baseline = baseline;
    const asked = new Set(requests.map((q) => `CONFIG_${q.symbol}`));
    const resolvedLines = readConfigLines(r.text);
    // a distribution line the variant's values change: olddefconfig's value, in its place
    for (const m of variantMismatches(request.mergedText, r.text, baseline)) {
      if (asked.has(m.symbol)) continue; // a lost request is its own E_KCONFIG_* error
      const line = resolvedLines.get(m.symbol.slice('CONFIG_'.length));
      if (line) p.derived.push({ line, why: `olddefconfig's value because of the variant's values (was ${showMismatch(m)})` });
    }
    p.newOptions = r.newOptions ?? [];
  }

  // a new option with the same value on every Source goes once into kernel-local, when allowed
  const kernelLocal: DerivedLine[] = [];
  const common = new Set<string>();
  if (args.kernelLocalAllowed && planned.length && planned.every((p) => p.request)) {
    const [first, ...rest] = planned;
    for (const o of first!.newOptions)
      if (rest.every((p) => p.newOptions.some((q) => q.line === o.line))) {
        common.add(o.line);
        kernelLocal.push({ line: o.line, why: `new option ${who(first!.requests, o.exposedBy, place)}; olddefconfig's value` });
      }
  }
  const texts = new Map<string, string>();
  for (const p of planned) {
    const derived = [
      ...p.derived,
      ...p.newOptions
        .filter((o) => !common.has(o.line))
        .map((o) => ({ line: o.line, why: `new option ${who(p.requests, o.exposedBy, place)}; olddefconfig's value` })),
    ];
    const text = configWithProvenance(p.original, args.variantName, p.perArch, place, derived);
    texts.set(args.outName(p.c.file), text);
    p.derived = derived;
  }

  // the build's own check, on what kplay writes (kernel-local merged as merge.py does)
  if (args.resolveConfig) {
    for (const p of planned) {
      if (!p.request) continue;
      const file = args.outName(p.c.file);
      const merged = mergeKernelLocal(texts.get(file)!, everyArch, kernelLocal);
      const r = await args.resolveConfig({ ...p.request, mergedText: merged });
      // a requested value the build would change is left to its E_KCONFIG_* error when there is one
      const reported = (symbol: string) =>
        findings.some((f) => /^E_KCONFIG_/.test(f.code) && (f.arch ?? p.c.arch) === p.c.arch && f.message.includes(symbol.slice(7)));
      const left = variantMismatches(merged, r.text, p.baseline).filter((m) => !reported(m.symbol));
      const fresh = (r.newOptions ?? []).filter((o) => !p.requests.some((q) => q.symbol === o.symbol));
      if (left.length || fresh.length)
        findings.push({
          code: 'E_OVERLAY_CONFIG_CHECK',
          severity: 'error',
          message: `${file}: the distribution's config check would still fail: ${[
            ...fresh.map((o) => `-n: CONFIG_${o.symbol} has no value (${who(p.requests, o.exposedBy, place)})`),
            ...left.map((m) => `-c: ${showMismatch(m)}`),
          ].join('; ')}`,
          arch: p.c.arch,
          where: { file, line: 0, col: 0 },
          hint: 'set these options in a feature of the variant',
        });
    }
  }
  return { texts, kernelLocal };
}
