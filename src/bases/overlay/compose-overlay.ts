import path from 'node:path';
import { place, sha256 } from '../../compose/manifest.js';
import type { MergedConfig } from '../../config/merge-config.js';
import { exitCodeForFindings } from '../../findings/exit-code.js';
import type { Finding } from '../../findings/finding.js';
import type { RpmArch } from '../../model/arch.js';
import type { ConfigValue } from '../../model/types.js';
import type { OverlayBase, Variant } from '../../model/variant.js';
import { outputPatches, type OutputPatch } from '../../spec/spec-context.js';
import { KPLAY_VERSION } from '../../version.js';
import type { ComposeOptions, ComposeResult } from '../base-kind.js';
import { inputUnusable, resolveCheckMerge } from '../resolve-check-merge.js';
import { findConfigSources, findKernelLocalSource } from './config-sources.js';
import { DISTRIBUTIONS } from './distribution-defaults.js';
import { overlayKernelLocal } from './kernel-local.js';
import { overlayChangelogEntry } from './overlay-changelog.js';
import { overlaySpec } from './overlay-spec.js';
import { readDistGit } from './read-dist-git.js';
import { predictConfigMismatches } from './resolved-config.js';
import { setConfigValues } from './set-config-values.js';
import { guardShortPatch } from './short-patch.js';
import { parseSourcesFile } from './sources-file.js';
import { readSpecVersion } from './spec-sources.js';
import { splitConfigRequests } from './split-config-requests.js';

/** `.fedora-playground` is not a valid Release part (no `-`): `.fedora_playground`. */
export function overlayBuildid(variant: Variant): string {
  return variant.buildid ?? `.${variant.name.replace(/-/g, '_')}`;
}

function valuesOf(requests: ReadonlyArray<{ symbol: string; value: ConfigValue }>): Map<string, ConfigValue> {
  return new Map(requests.map((r) => [r.symbol, r.value]));
}

/**
 * Compose a variant whose base is a distribution kernel package: read the dist-git (or checkout,
 * or SRPM), resolve and merge the features against the spec's version, then overlay the spec,
 * kernel-local and the per-arch config Sources, and write every file of the package plus the
 * patches and a manifest. Writes nothing when any error was found.
 */
export async function composeOverlay(variant: Variant<OverlayBase>, root: string, opts: ComposeOptions, findings: Finding[]): Promise<ComposeResult> {
  const checks: Record<string, string> = {};
  const done = (extra: Partial<ComposeResult> = {}): ComposeResult => ({ findings, exitCode: exitCodeForFindings(findings), written: false, checks, variant, root, ...extra });
  const distribution = DISTRIBUTIONS[variant.base.kind];

  const read = await readDistGit(variant.base.origin, variant.base.package, opts.distGit);
  findings.push(...read.findings);
  const tree = read.tree;
  if (!tree) return done();
  const specLabel = `${tree.label}/${tree.specFile}`;
  const specText = tree.files.get(tree.specFile)!.toString('utf8');
  const specLines = specText.split('\n');

  const version = variant.base.version || readSpecVersion(specLines) || '';
  if (!version) {
    findings.push({ code: 'W_OVERLAY_VERSION_UNKNOWN', severity: 'warning', message: 'cannot tell the kernel version from the spec (no specrpmversion, specversion or rpmversion): feature kernel ranges are not checked', where: { file: specLabel, line: 0, col: 0 }, hint: 'set base.version' });
  }
  const withVersion: Variant<OverlayBase> = { ...variant, base: { ...variant.base, version } };
  // parse the series and compare line ranges; applying needs the distribution's patched tree
  const stages = await resolveCheckMerge(withVersion, root, findings, checks, { describePatchCheck: (check) => check.replace(/; not applied: .*/, '; not applied to the distribution source') });
  const { resolved } = stages;
  if (!stages.merged) return done({ variant: withVersion, resolved });
  const merged = stages.merged;

  // patches: numbered and named like a vanilla compose, kept from ApplyOptionalPatch's 9-line rule
  const patches: OutputPatch[] = outputPatches(resolved).map((p) => {
    const feature = resolved.order.find((r) => r.feature.name === p.feature)!.feature;
    const where = feature.patches.find((fp) => fp.path === p.origin)?.where;
    const guarded = guardShortPatch({ file: p.file, feature: p.feature, text: p.text, where }, variant.base.shortPatches);
    findings.push(...guarded.findings);
    return { ...p, text: guarded.text };
  });

  const spec = overlaySpec(
    specText,
    {
      variantName: variant.name,
      buildid: overlayBuildid(variant),
      patches: patches.map((p) => ({ file: p.file, feature: p.feature })),
      ...(variant.base.rename ? { rename: variant.base.rename } : {}),
      without: variant.base.without,
      changelog: overlayChangelogEntry(variant, specLines),
    },
    specLabel,
  );
  findings.push(...spec.findings);

  // configs: every-arch options into kernel-local, the rest into each arch's config Sources
  const split = splitConfigRequests(merged);
  const configSources = findConfigSources(specLines, spec.originalName, distribution.configFlavour);
  const kernelLocal = findKernelLocalSource(specLines, spec.originalName);
  if (!kernelLocal) findings.push({ code: 'E_OVERLAY_ANCHOR_MISSING', severity: 'error', message: "the spec has no 'kernel-local' Source", where: { file: specLabel, line: 0, col: 0 }, hint: 'Fedora and CentOS Stream specs carry Source3001: kernel-local for options of every arch' });
  for (const arch of variant.arches.list) {
    if (!configSources.some((c) => c.arch === arch)) {
      findings.push({ code: 'E_OVERLAY_ANCHOR_MISSING', severity: 'error', message: `the spec has no config Source '${spec.originalName}-${arch}-${distribution.configFlavour}.config' (nor any flavour of it)`, where: { file: specLabel, line: 0, col: 0 }, arch, hint: `does the package build ${arch}?` });
    }
  }
  for (const c of configSources) {
    if (!tree.files.has(c.file)) findings.push({ code: 'E_OVERLAY_SOURCE_MISSING', severity: 'error', message: `config Source ${c.file} (Source${c.sourceNumber}) is not among the package's files`, where: { file: specLabel, line: 0, col: 0 } });
  }
  if (tree.files.has('sources')) findings.push(...parseSourcesFile(tree.files.get('sources')!.toString('utf8'), `${tree.label}/sources`).findings);
  if (inputUnusable(findings) || findings.some((f) => f.code.startsWith('E_OVERLAY_'))) return done({ variant: withVersion, resolved, merged, patches });

  const outName = (file: string) => spec.renamedSources.get(file) ?? file;
  const files = new Map<string, Buffer | string>();
  for (const [name, content] of tree.files) if (name !== tree.specFile) files.set(outName(name), content);
  const specFile = `${spec.name}.spec`;
  files.set(specFile, spec.text);
  files.set('kernel-local', overlayKernelLocal((tree.files.get('kernel-local') ?? Buffer.alloc(0)).toString('utf8'), variant.name, split.everyArch, (r) => place(r, root)));
  const everyArch = valuesOf(split.everyArch);
  for (const c of configSources) {
    const perArch = split.perArch.get(c.arch);
    if (!perArch) continue; // an arch the variant does not build keeps the distribution's config
    const edited = setConfigValues(tree.files.get(c.file)!.toString('utf8'), valuesOf(perArch));
    let text = edited;
    if (opts.resolveConfig) {
      const request = { arch: c.arch as RpmArch, file: outName(c.file), mergedText: setConfigValues(edited, everyArch) };
      const r = await opts.resolveConfig(request);
      findings.push(...r.findings, ...predictConfigMismatches(request, r.text));
      text = r.text;
    }
    files.set(outName(c.file), text);
  }
  for (const p of patches) files.set(p.file, p.text);
  checks.kconfig = opts.resolveConfig ? 'resolved: every config Source of the variant\'s arches is written as the Kconfig engine resolved it' : 'skipped: no Kconfig engine given (configs hold the requested values; process_configs -c decides at build time)';
  files.set('manifest.json', overlayManifest(variant, version, tree, spec.name, resolved.order.map((r) => r.feature.name), patches, merged, root, files, checks));

  const outDir = path.resolve(opts.out ?? path.join(root, 'out', variant.name));
  return done({ variant: withVersion, resolved, merged, patches, outDir, files, specFile });
}

function overlayManifest(
  variant: Variant<OverlayBase>,
  version: string,
  tree: { label: string; commit?: string; specFile: string },
  name: string,
  features: string[],
  patches: OutputPatch[],
  merged: MergedConfig[],
  root: string,
  files: ReadonlyMap<string, Buffer | string>,
  checks: Record<string, string>,
): string {
  const o = variant.base.origin;
  const origin = o.kind === 'git' ? { git: o.url, ref: o.ref, ...(tree.commit ? { commit: tree.commit } : {}) } : { [o.kind]: path.relative(root, o.path).split(path.sep).join('/') };
  const manifest = {
    kplay: KPLAY_VERSION,
    variant: { name: variant.name, files: variant.chain.map((f) => path.relative(root, path.resolve(f)).split(path.sep).join('/')) },
    base: { kind: variant.base.kind, version, origin, spec: tree.specFile, package: name },
    arches: variant.arches.list,
    features,
    patches: patches.map((p) => ({ file: p.file, feature: p.feature, from: p.origin, sha256: sha256(p.text) })),
    config: Object.fromEntries(merged.map((m) => [m.arch, Object.fromEntries([...m.symbols.keys()].sort().map((s) => [`CONFIG_${s}`, place(m.symbols.get(s)!.request, root)]))])),
    checks,
    outputs: [...files.entries()].map(([file, content]) => ({ file, sha256: sha256(content) })).sort((a, b) => a.file.localeCompare(b.file)),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
