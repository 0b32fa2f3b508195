import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { showConfigValue } from '../config/config-value.js';
import type { MergedConfig } from '../config/merge-config.js';
import type { ConfigRequest } from '../model/types.js';
import type { VanillaVariant } from '../model/variant.js';
import type { ResolvedFeatures } from '../resolve/resolve-features.js';
import type { OutputPatch } from '../render/spec-context.js';
import { codePointOrder } from '../model/code-point-order.js';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** `features/x/config:3`: a request's location relative to the repository root (stable across cwds). */
export function place(r: ConfigRequest, root: string): string {
  const file = path.isAbsolute(r.where.file) ? r.where.file : path.resolve(r.where.file);
  return `${path.relative(root, file).split(path.sep).join('/')}:${r.where.line}`;
}

/**
 * manifest.json: every input with its sha256, the resolved feature order, the provenance of every
 * requested config value, and kplay's version. Paths are relative to the repository root and
 * nothing depends on time or the machine, so composing twice gives the same bytes.
 */
export async function buildManifest(args: {
  root: string;
  variant: VanillaVariant;
  resolved: ResolvedFeatures;
  merged: MergedConfig[];
  patches: OutputPatch[];
  outputs: ReadonlyMap<string, Buffer | string>;
  kplayVersion: string;
  checks: Record<string, string>;
}): Promise<string> {
  const { root, variant } = args;
  const rel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  const inputs: Array<{ path: string; sha256: string }> = [];
  for (const f of variant.chain) {
    const abs = path.resolve(f);
    inputs.push({ path: rel(abs), sha256: sha256(await readFile(abs)) });
  }
  for (const { feature } of args.resolved.order) {
    for (const abs of (await filesUnder(path.join(root, feature.dir))).sort())
      inputs.push({ path: rel(abs), sha256: sha256(await readFile(abs)) });
  }
  for (const [arch, c] of Object.entries(variant.base.config)) {
    if (c?.kind === 'file') inputs.push({ path: rel(c.path), sha256: sha256(await readFile(c.path)) });
    if (c?.kind === 'url') inputs.push({ path: `${c.url} (base config ${arch})`, sha256: c.sha256 });
  }
  const config: Record<string, Record<string, unknown>> = {};
  for (const m of args.merged) {
    const perArch: Record<string, unknown> = {};
    for (const sym of [...m.symbols.keys()].sort()) {
      const s = m.symbols.get(sym)!;
      perArch[`CONFIG_${sym}`] = {
        value: showConfigValue(s.request.value),
        set_by: `${s.request.origin.kind} ${s.request.origin.name}`,
        at: place(s.request, root),
        ...(s.overridden.length
          ? { overrides: s.overridden.map((o) => `${o.origin.kind} ${o.origin.name} (${showConfigValue(o.value)}) at ${place(o, root)}`) }
          : {}),
      };
    }
    config[m.arch] = perArch;
  }
  const manifest = {
    kplay: args.kplayVersion,
    variant: { name: variant.name, files: variant.chain.map((f) => rel(path.resolve(f))) },
    base: {
      kind: variant.base.kind,
      version: variant.base.version,
      source: { url: variant.base.source.url, ...(variant.base.source.sha256 ? { sha256: variant.base.source.sha256 } : {}) },
      config: Object.fromEntries(
        Object.entries(variant.base.config).map(([a, c]) => [a, c.kind === 'target' ? c.target : c.kind === 'file' ? rel(c.path) : c.url]),
      ),
    },
    arches: variant.arches.list,
    features: args.resolved.order.map((r) => ({
      name: r.feature.name,
      reason: r.reason.kind === 'variant' ? 'listed by the variant' : `required by ${r.reason.by}`,
      arches: r.arches,
      patches: args.patches
        .filter((p) => p.feature === r.feature.name)
        .map((p) => ({ file: p.file, from: p.origin, sha256: sha256(p.text) })),
    })),
    checks: args.checks,
    left_out: args.resolved.leftOut,
    inputs,
    config,
    outputs: [...args.outputs.entries()]
      .map(([name, content]) => ({ file: name, sha256: sha256(content) }))
      .sort((a, b) => codePointOrder(a.file, b.file)),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
