import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError, type Finding, type SourceLocation } from '../findings/finding.js';
import { configMapRequests } from '../config/config-map-requests.js';
import { RPM_ARCHES, type RpmArch } from '../model/arch.js';
import type { NameRef } from '../model/feature.js';
import type { ConfigRequest, Targets } from '../model/types.js';
import type { ChangelogEntry, Variant } from '../model/variant.js';
import { baseKindForSettings, type BaseSettingContext } from '../bases/index.js';
import { loadSigning } from './load-signing.js';
import { displayPath, isInside, realPathInside } from '../model/safe-path.js';
import { validateAgainstSchema } from '../model/schemas.js';
import { locate, parseYamlSource, type YamlSource } from '../model/yaml-source.js';
import { inputReadFinding, readInputFile } from '../model/read-input-file.js';
import { decodeUtf8 } from '../model/decode-utf8.js';

/** One variant file, validated, before `extends` is applied. */
interface VariantLayer {
  file: string;
  abs: string;
  src: YamlSource;
  data: Record<string, unknown>;
}

const LIST_KEYS = ['arches', 'features', 'changelog'] as const;

async function readLayer(abs: string, findings: Finding[], from?: SourceLocation): Promise<VariantLayer | undefined> {
  const file = displayPath(abs);
  const read = await readInputFile(abs);
  if (!read.ok) {
    findings.push(
      read.reason === 'missing'
        ? { code: 'E_VARIANT_MISSING', severity: 'error', message: `variant file ${file} does not exist`, ...(from ? { where: from } : {}) }
        : inputReadFinding(abs, read, 'variant file', from),
    );
    return undefined;
  }
  const decoded = decodeUtf8(read.bytes, file);
  findings.push(...decoded.findings);
  if (decoded.text === undefined) return undefined;
  const parsed = parseYamlSource(file, decoded.text);
  findings.push(...parsed.findings);
  if (!parsed.source) return undefined;
  const data = parsed.data;
  if (data === null || data === undefined || (typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length === 0)) {
    findings.push({
      code: 'E_VARIANT_EMPTY',
      severity: 'error',
      message: `${file} is empty`,
      where: { file, line: 1, col: 1 },
      hint: 'a variant needs at least summary, base and arches (or extends another variant)',
    });
    return undefined;
  }
  const schemaFindings = validateAgainstSchema('variant', parsed.source, data);
  if (schemaFindings.length) {
    findings.push(...schemaFindings);
    return undefined;
  }
  return { file, abs, src: parsed.source, data: data as Record<string, unknown> };
}

/**
 * The folder a variant belongs to: the nearest folder at or above it holding features/, else the
 * parent of a variants/ folder, else its own folder (the rule of compose/find-root.ts, which load/
 * does not import).
 */
function variantRepository(abs: string): string {
  const start = path.dirname(abs);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'features'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return path.basename(start) === 'variants' ? path.dirname(start) : start;
}

/** E_PATH_ESCAPE when the variant file's real path (links followed) leaves its repository. */
async function variantEscape(abs: string): Promise<Finding | undefined> {
  const root = variantRepository(abs);
  const { real, exists } = await realPathInside(root, abs);
  if (!exists || real) return undefined;
  const file = displayPath(abs);
  return {
    code: 'E_PATH_ESCAPE',
    severity: 'error',
    message: `variant file ${file} is a link that leads outside its repository (${displayPath(root)}); kplay does not read it`,
    where: { file, line: 0, col: 0 },
    hint: 'keep variant files inside the repository (copy the file in instead of linking it)',
  };
}

/** Read a variant and every variant it extends, child first; cycles and escapes are findings. */
async function readChain(abs: string, findings: Finding[]): Promise<VariantLayer[]> {
  const layers: VariantLayer[] = [];
  const seen: string[] = [];
  let current = abs;
  let from: SourceLocation | undefined;
  for (;;) {
    if (seen.includes(current)) {
      const names = [...seen, current].map((p) => displayPath(p)).join(' -> ');
      findings.push({
        code: 'E_EXTENDS_CYCLE',
        severity: 'error',
        message: `extends cycle: ${names}`,
        ...(from ? { where: from } : {}),
        hint: 'a variant may not extend itself, directly or through others',
      });
      return [];
    }
    seen.push(current);
    const layer = await readLayer(current, findings, from);
    if (!layer) return [];
    layers.push(layer);
    const ext = layer.data.extends;
    if (typeof ext !== 'string') return layers;
    from = locate(layer.src, ['extends']);
    const folder = path.dirname(current);
    const next = path.resolve(folder, ext);
    const check = await realPathInside(folder, next);
    if (!isInside(folder, next) || (check.exists && !check.real)) {
      findings.push({
        code: 'E_PATH_ESCAPE',
        severity: 'error',
        message: `extends '${ext}' leaves the folder of ${layer.file}`,
        where: from,
        hint: 'extend a variant in the same folder (or below it)',
      });
      return [];
    }
    current = next;
  }
}

function mergeLists<T>(parent: T[] | undefined, child: T[] | undefined, key: (t: T) => string): T[] {
  const out = [...(parent ?? [])];
  const have = new Set(out.map(key));
  for (const item of child ?? []) if (!have.has(key(item))) out.push(item);
  return out;
}

/** Deep-merge plain maps: the child's keys override the parent's. */
function mergeMaps(parent: unknown, child: unknown): unknown {
  if (child === undefined) return parent;
  if (parent && child && typeof parent === 'object' && typeof child === 'object' && !Array.isArray(parent) && !Array.isArray(child)) {
    const out: Record<string, unknown> = { ...(parent as Record<string, unknown>) };
    for (const [k, v] of Object.entries(child as Record<string, unknown>)) out[k] = mergeMaps(out[k], v);
    return out;
  }
  return child;
}

function valueAt(data: unknown, keyPath: Array<string | number>): unknown {
  let v: unknown = data;
  for (const k of keyPath) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined;
  return v;
}

/** Where a key was last set along the chain (the child wins). */
function whereSet(layers: VariantLayer[], keyPath: Array<string | number>): SourceLocation {
  for (const l of layers) {
    let v: unknown = l.data;
    for (const k of keyPath) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined;
    if (v !== undefined) return locate(l.src, keyPath);
  }
  return { file: layers[0]!.file, line: 1, col: 1 };
}

function requestsOf(layers: VariantLayer[], variantName: string, findings: Finding[]): ConfigRequest[] {
  // parent first, so the child's value for a symbol replaces the parent's
  const bySymbol = new Map<string, ConfigRequest>();
  for (const l of [...layers].reverse()) {
    const origin = { kind: 'variant' as const, name: variantName };
    const all = configMapRequests(l.src, ['config'], origin);
    findings.push(...all.findings);
    for (const r of all.requests) bySymbol.set(`*:${r.symbol}`, r);
    const perArch = (l.data['arch-config'] ?? {}) as Record<string, unknown>;
    for (const arch of RPM_ARCHES) {
      if (!(arch in perArch)) continue;
      const one = configMapRequests(l.src, ['arch-config', arch], origin, arch);
      findings.push(...one.findings);
      for (const r of one.requests) bySymbol.set(`${arch}:${r.symbol}`, r);
    }
  }
  return [...bySymbol.values()];
}

/**
 * Load a variant file: parse, validate against the schema, apply `extends` (lists merge, maps
 * override, scalars are replaced), and collect config overrides with their locations.
 * Returns findings instead of throwing; `variant` is set only when there are no errors.
 */
export async function loadVariant(variantPath: string): Promise<{ variant?: Variant; findings: Finding[] }> {
  const findings: Finding[] = [];
  const abs = path.resolve(variantPath);
  // a variant that is a link to a file outside its repository is not read (its lines would be printed back)
  const escape = await variantEscape(abs);
  if (escape) return { findings: [escape] };
  const layers = await readChain(abs, findings);
  if (!layers.length) return { findings };
  const top = layers[0]!;

  let merged: Record<string, unknown> = {};
  for (const l of [...layers].reverse()) {
    const next = mergeMaps(
      merged,
      Object.fromEntries(Object.entries(l.data).filter(([k]) => !(LIST_KEYS as readonly string[]).includes(k))),
    ) as Record<string, unknown>;
    for (const k of LIST_KEYS) {
      const keyFn = k === 'changelog' ? (e: unknown) => JSON.stringify(e) : (e: unknown) => String(e);
      const list = mergeLists(merged[k] as unknown[] | undefined, l.data[k] as unknown[] | undefined, keyFn);
      if (list.length || merged[k] !== undefined || l.data[k] !== undefined) next[k] = list;
    }
    merged = next;
  }
  // the name is never inherited: a child is its own package
  const name = (top.data.name as string | undefined) ?? path.basename(abs).replace(/\.ya?ml$/, '');
  const topWhere = { file: top.file, line: 1, col: 1 };
  const kind = baseKindForSettings(merged);
  for (const key of kind.requiredKeys) {
    if (merged[key] === undefined) {
      findings.push({
        code: 'E_SCHEMA',
        severity: 'error',
        message: `the variant has no '${key}' (set it here or in a variant it extends)`,
        where: topWhere,
      });
    }
  }
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(name)) {
    findings.push({
      code: 'E_SCHEMA',
      severity: 'error',
      message: `variant name '${name}' (from the file name) is not valid: use lower case letters, digits, - and _`,
      where: topWhere,
      hint: 'set name: explicitly',
    });
  }
  if (findings.some((f) => f.severity === 'error')) return { findings };

  const arches = merged.arches as RpmArch[];
  const features: NameRef[] = ((merged.features ?? []) as string[]).map((f) => {
    const layer = layers.find((l) => ((l.data.features as string[] | undefined) ?? []).includes(f))!;
    return { name: f, where: locate(layer.src, ['features', ((layer.data.features as string[]) ?? []).indexOf(f)]) };
  });
  const requests = requestsOf(layers, name, findings);
  const targets = merged.targets as Record<string, Record<string, unknown>> | undefined;
  const resolvedTargets: Targets = {};
  if (targets?.copr)
    resolvedTargets.copr = {
      ...(targets.copr as unknown as Targets['copr'] & object),
      chroots: (targets.copr.chroots as string[] | undefined) ?? [],
      where: whereSet(layers, ['targets', 'copr']),
    };
  if (targets?.cbs)
    resolvedTargets.cbs = { ...(targets.cbs as unknown as Targets['cbs'] & object), where: whereSet(layers, ['targets', 'cbs']) };
  const layerOf = (keyPath: Array<string | number>) => layers.find((l) => valueAt(l.data, keyPath) !== undefined) ?? top;
  const settingContext: BaseSettingContext = {
    data: merged,
    arches,
    whereSet: (keyPath) => whereSet(layers, keyPath),
    folderOf: (keyPath) => path.dirname(layerOf(keyPath).abs),
    fileOf: (keyPath) => layerOf(keyPath).file,
    variantName: name,
    findings,
  };
  // the base settings: src/bases/<kind>/
  const base = await kind.loadSettings(settingContext);
  const signing = merged.signing ? await loadSigning(merged.signing as Record<string, unknown>, settingContext) : undefined;
  if (signing && !kind.signsInSpec)
    findings.push({
      code: 'W_SIGNING_NOT_BUILT_IN',
      severity: 'warning',
      message: "signing: is built into vanilla and overlay kernel specs only; sign this variant's built RPMs with kplay sign",
      where: signing.where,
    });
  if (!base || findings.some((f) => f.severity === 'error')) return { findings };

  const variant: Variant = {
    name,
    file: top.file,
    chain: layers.map((l) => l.file),
    summary: String(merged.summary),
    ...(merged.description !== undefined ? { description: scalarText(merged.description) } : {}),
    type: kind.variantType,
    base,
    arches: { list: arches, where: whereSet(layers, ['arches']) },
    features,
    requests,
    release: (merged.release as number | undefined) ?? 1,
    ...(merged.buildid !== undefined ? { buildid: scalarText(merged.buildid) } : {}),
    changelog: (merged.changelog ?? []) as ChangelogEntry[],
    targets: resolvedTargets,
    textWhere: {
      summary: whereSet(layers, ['summary']),
      ...(merged.description !== undefined ? { description: whereSet(layers, ['description']) } : {}),
      ...(merged.buildid !== undefined ? { buildid: whereSet(layers, ['buildid']) } : {}),
      ...(merged.changelog !== undefined ? { changelog: whereSet(layers, ['changelog']) } : {}),
    },
    ...(signing ? { signing } : {}),
  };
  return { variant, findings };
}

/** Convenience for commands: load or throw a UsageError carrying the findings (exit 2). */
export async function loadVariantOrThrow(variantPath: string): Promise<{ variant: Variant; findings: Finding[] }> {
  const r = await loadVariant(variantPath);
  if (!r.variant) throw new UsageError(`cannot load ${variantPath}`, r.findings);
  return { variant: r.variant, findings: r.findings };
}

/** A schema-checked scalar (string or number) as text. */
function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
