import { OVERLAY_CERTIFICATE_SOURCE, wireSigningCertificate } from './signing-certificate.js';
import path from 'node:path';
import { place, sha256 } from '../../compose/manifest.js';
import type { MergedConfig } from '../../config/merge-config.js';
import type { Finding } from '../../findings/finding.js';
import type { OverlayBase, Variant } from '../../model/variant.js';
import { outputPatches, type OutputPatch } from '../../render/spec-context.js';
import { KPLAY_VERSION } from '../../version.js';
import type { ComposeOptions, ComposeResult } from '../base-kind.js';
import { inputUnusable, resolveCheckMerge } from '../resolve-check-merge.js';
import { findConfigSources, findKernelLocalSource, type ConfigSource } from './config-sources.js';
import { DISTRIBUTIONS } from './distribution-defaults.js';
import { overlayKernelLocal } from './kernel-local.js';
import { overlayChangelogEntry } from './overlay-changelog.js';
import { SpecBoundary } from '../../boundary/index.js';
import { overlaySpec } from './overlay-spec.js';
import { readDistGit, type DistGitTree } from './read-dist-git.js';
import { overlayConfigSources } from './overlay-config-sources.js';
import { guardShortPatch } from './short-patch.js';
import { parseSourcesFile } from './sources-file.js';
import { readSpecRelease, readSpecVersion } from './spec-sources.js';
import { chooseValueScope } from './value-scope.js';
import { distributionSourceChecks } from './distribution-source-checks.js';
import { restrictExclusiveArch, type ExclusiveArchChange } from './exclusive-arch.js';
import { readSpecMacros } from './spec-macros.js';
import { displayPath } from '../../model/safe-path.js';
import { composeResultSoFar } from '../compose-result.js';
import { codePointOrder } from '../../model/code-point-order.js';

/** `.fedora-playground` is not a valid Release part (no `-`): `.fedora_playground`. */
export function overlayBuildid(variant: Variant): string {
  return variant.buildid ?? `.${variant.name.replace(/-/g, '_')}`;
}

/**
 * Compose a variant whose base is a distribution kernel package: read the dist-git (or checkout,
 * or SRPM), resolve and merge the features against the spec's version, then overlay the spec,
 * kernel-local and the per-arch config Sources, and write every file of the package plus the
 * patches and a manifest. Writes nothing when any error was found.
 */
export async function composeOverlay(
  variant: Variant<OverlayBase>,
  root: string,
  opts: ComposeOptions,
  findings: Finding[],
): Promise<ComposeResult> {
  const checks: Record<string, string> = {};
  const done = composeResultSoFar(findings, checks, { variant, root });
  const distribution = DISTRIBUTIONS[variant.base.kind];

  const read = await readDistGit(variant.base.origin, variant.base.package, opts.distGit);
  findings.push(...read.findings);
  const tree = read.tree;
  if (!tree) return done();
  const specLabel = `${tree.label}/${tree.layout === 'SPECS+SOURCES' ? 'SPECS/' : ''}${tree.specFile}`;
  const specText = tree.files.get(tree.specFile)!.toString('utf8');
  const specLines = specText.split('\n');

  const version = variant.base.version || readSpecVersion(specLines) || '';
  if (!version) {
    findings.push({
      code: 'W_OVERLAY_VERSION_UNKNOWN',
      severity: 'warning',
      message:
        'cannot tell the kernel version from the spec (no specrpmversion, specversion or rpmversion): feature kernel ranges are not checked',
      where: { file: specLabel, line: 0, col: 0 },
      hint: 'set base.version',
    });
  }
  const withVersion: Variant<OverlayBase> = { ...variant, base: { ...variant.base, version } };
  // parse the series and compare line ranges; applying needs the distribution's patched tree
  const stages = await resolveCheckMerge(withVersion, root, findings, checks, {
    describePatchCheck: (check) => check.replace(/; not applied: .*/, '; not applied to the distribution source'),
  });
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

  // the variant's own changelog entry reaches the spec through the rendering boundary
  const boundary = new SpecBoundary();
  const changelog = overlayChangelogEntry(variant, specLines, boundary);
  findings.push(...boundary.findings);
  if (boundary.findings.length) return done({ variant: withVersion, resolved, merged, patches });
  const spec = overlaySpec(
    specText,
    {
      variantName: variant.name,
      buildid: overlayBuildid(variant),
      patches: patches.map((p) => ({ file: p.file, feature: p.feature })),
      ...(variant.base.rename ? { rename: variant.base.rename } : {}),
      without: variant.base.without,
      changelog,
    },
    specLabel,
  );
  findings.push(...spec.findings);

  // configs: every-arch options into kernel-local, the rest into each arch's config Sources
  const macros = readSpecMacros(specLines);
  const configSources = findConfigSources(specLines, spec.originalName, distribution.configFlavour, macros);
  const kernelLocal = findKernelLocalSource(specLines, spec.originalName, macros);
  // the package builds only the variant's arches (recorded in the manifest)
  const arches = restrictExclusiveArch(spec.text, variant.arches.list, macros);
  for (const arch of arches.excluded) {
    findings.push({
      code: 'W_OVERLAY_ARCH_EXCLUDED',
      severity: 'warning',
      message: `the spec's ExclusiveArch does not list ${arch}: the package will not build for it`,
      where: { file: specLabel, line: 0, col: 0 },
      arch,
      hint: `remove ${arch} from the variant's arches, or check the distribution builds it`,
    });
  }
  const scope = chooseValueScope(merged, {
    hasKernelLocal: Boolean(kernelLocal),
    configArches: [...new Set(configSources.map((c) => c.arch))],
  });
  for (const arch of variant.arches.list) {
    if (!configSources.some((c) => c.arch === arch)) {
      findings.push({
        code: 'E_OVERLAY_ANCHOR_MISSING',
        severity: 'error',
        message: `the spec has no config Source for ${arch} (${missingConfigDescription(spec.originalName, arch, configSources, distribution.configFlavour)})`,
        where: { file: specLabel, line: 0, col: 0 },
        arch,
        hint: `does the package build ${arch}? list only the arches it has configs for in the variant's arches`,
      });
    }
  }
  for (const c of configSources) {
    if (!tree.files.has(c.file))
      findings.push({
        code: 'E_OVERLAY_SOURCE_MISSING',
        severity: 'error',
        message: `config Source ${c.file} (Source${c.sourceNumber}) is not among the package's files`,
        where: { file: specLabel, line: 0, col: 0 },
      });
  }
  if (tree.files.has('sources'))
    findings.push(...parseSourcesFile(tree.files.get('sources')!.toString('utf8'), `${tree.label}/sources`).findings);
  if (inputUnusable(findings) || findings.some((f) => f.code.startsWith('E_OVERLAY_')))
    return done({ variant: withVersion, resolved, merged, patches });

  // with the distribution's source: its patches then the variant's, and the Kconfig engine over it
  let resolveConfig = opts.resolveConfig;
  let verified: () => string | undefined = () => undefined;
  if (opts.kernelSource) {
    const checked = await distributionSourceChecks({
      kernelSource: opts.kernelSource,
      specLines,
      macros,
      files: tree.files,
      specLabel,
      variantPatches: patches,
      ...(opts.verifyKconfig ? { verify: true } : {}),
      ...(opts.observeResolution ? { observe: opts.observeResolution } : {}),
      ...(version ? { specVersion: { version, where: { file: specLabel, line: 0, col: 0 } } } : {}),
    });
    // the parse-only check above already reported the variant's own overlaps
    const known = new Set(findings.map((f) => `${f.code}|${f.message}|${f.where?.file}:${f.where?.line}`));
    findings.push(...checked.findings.filter((f) => !known.has(`${f.code}|${f.message}|${f.where?.file}:${f.where?.line}`)));
    checks.patches = checked.check;
    resolveConfig = checked.resolver;
    verified = checked.verified;
  }
  const outName = (file: string) => spec.renamedSources.get(file) ?? file;
  const files = new Map<string, Buffer | string>();
  for (const [name, content] of tree.files) if (name !== tree.specFile) files.set(outName(name), content);
  const specFile = `${spec.name}.spec`;
  let specOut = arches.text;
  if (variant.signing) {
    // the SIG certificate through the spec's own trusted-keys mechanism (signing-certificate.ts)
    const wired = wireSigningCertificate(specOut, variant.name, specLabel);
    findings.push(...wired.findings);
    if (wired.check) {
      specOut = wired.text;
      files.set(OVERLAY_CERTIFICATE_SOURCE, variant.signing.pem);
      checks.signing = wired.check;
    }
  }
  files.set(specFile, specOut);
  const configs = await overlayConfigSources({
    variantName: variant.name,
    configSources,
    scope,
    original: (file) => tree.files.get(file)!.toString('utf8'),
    outName,
    resolveConfig,
    kernelLocalAllowed: Boolean(kernelLocal) && configSources.every((c) => scope.perArch.has(c.arch)),
    place: (r) => place(r, root),
    findings,
  });
  if (kernelLocal)
    files.set(
      'kernel-local',
      overlayKernelLocal(
        (tree.files.get('kernel-local') ?? Buffer.alloc(0)).toString('utf8'),
        variant.name,
        scope.kernelLocal,
        (r) => place(r, root),
        configs.kernelLocal,
      ),
    );
  for (const [file, text] of configs.texts) files.set(file, text);
  for (const p of patches) files.set(p.file, p.text);
  checks.kconfig = opts.kernelSource
    ? `resolved like make olddefconfig on ${displayPath(opts.kernelSource)} with the distribution's patches applied: every config Source of the variant's arches (${variant.arches.list.join(', ')}) resolved like the distribution's process_configs.sh (scripts/dummy-tools toolchain): every config Source of the variant's arches keeps the distribution's lines and gains the requested values and every option they make new, at olddefconfig's value; its -n and -c checks were run on what is written${verified() ? `; --verify-kconfig: ${verified()}` : ''}`
    : resolveConfig
      ? "resolved: every config Source of the variant's arches keeps the distribution's lines and gains the requested values and the options they make new"
      : 'skipped: no kernel source given (configs hold the requested values; lost, unknown or unmet values and patches that do not apply to the distribution show only at build time)';
  checks.arches = arches.changes.length
    ? `ExclusiveArch restricted to the variant's arches: ${arches.changes.map((c) => `line ${c.line}: '${c.from}' -> '${c.to}'`).join('; ')}`
    : 'ExclusiveArch left as the distribution wrote it';
  checks.values = scope.kernelLocal.length
    ? `${scope.kernelLocal.length} value(s) the same on every arch in kernel-local, the rest in each arch's config Sources`
    : 'every value in the config Sources of the arches that asked for it';
  if (!opts.kernelSource && !resolveConfig) {
    findings.push({
      code: 'W_OVERLAY_NOT_CHECKED',
      severity: 'warning',
      message:
        "the variant's config values and patches were not checked against the distribution's kernel source: a value lost to an unmet dependency or a renamed symbol, and a patch that does not apply, show only when the build runs",
      where: variant.base.where,
      hint: "pass --kernel-source with the distribution's tarball (e.g. linux-<version>.tar.xz from the lookaside cache)",
    });
  }
  files.set(
    'manifest.json',
    overlayManifest(
      variant,
      version,
      tree,
      spec.name,
      resolved.order.map((r) => r.feature.name),
      patches,
      merged,
      root,
      files,
      checks,
      arches.changes,
      readSpecRelease(arches.text.split('\n')),
    ),
  );

  const outDir = path.resolve(opts.out ?? path.join(root, 'out', variant.name));
  return done({ variant: withVersion, resolved, merged, patches, outDir, files, specFile });
}

/** What kplay looked for, in the naming the spec itself uses (a RHEL 8-era spec is not told about `-rhel.config`). */
function missingConfigDescription(name: string, arch: string, found: readonly ConfigSource[], flavour: string): string {
  if (!found.length) return `no Source is named '${name}-<arch>[-<flavour>]-${flavour}.config' or '${name}-<arch>[-<flavour>].config'`;
  const style = found[0]!.style;
  const wanted = style === 'plain' ? `${name}-${arch}[-<flavour>].config` : `${name}-${arch}[-<flavour>]-${flavour}.config`;
  return `no '${wanted}'; its config Sources are ${[...new Set(found.map((c) => c.file))].join(', ')}`;
}

function overlayManifest(
  variant: Variant<OverlayBase>,
  version: string,
  tree: { label: string; commit?: string; specFile: string; used?: DistGitTree['used'] },
  name: string,
  features: string[],
  patches: OutputPatch[],
  merged: MergedConfig[],
  root: string,
  files: ReadonlyMap<string, Buffer | string>,
  checks: Record<string, string>,
  exclusiveArch: readonly ExclusiveArchChange[] = [],
  release?: string,
): string {
  // what was really read: the --dist-git folder or URL when given, with the exact commit
  const o = variant.base.origin;
  const used = tree.used ?? (o.kind === 'git' ? { git: o.url, ref: o.ref } : { [o.kind]: o.path });
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  const origin = {
    ...('git' in used ? used : 'path' in used ? { path: rel(used.path) } : { srpm: rel((used as { srpm: string }).srpm) }),
    ...(tree.commit ? { commit: tree.commit } : {}),
  };
  const manifest = {
    kplay: KPLAY_VERSION,
    variant: { name: variant.name, files: variant.chain.map((f) => path.relative(root, path.resolve(f)).split(path.sep).join('/')) },
    base: { kind: variant.base.kind, version, ...(release ? { release } : {}), origin, spec: tree.specFile, package: name },
    arches: variant.arches.list,
    ...(exclusiveArch.length ? { exclusiveArch: exclusiveArch.map((c) => ({ line: c.line, from: c.from, to: c.to })) } : {}),
    features,
    patches: patches.map((p) => ({ file: p.file, feature: p.feature, from: p.origin, sha256: sha256(p.text) })),
    config: Object.fromEntries(
      merged.map((m) => [
        m.arch,
        Object.fromEntries([...m.symbols.keys()].sort().map((s) => [`CONFIG_${s}`, place(m.symbols.get(s)!.request, root)])),
      ]),
    ),
    checks,
    outputs: [...files.entries()]
      .map(([file, content]) => ({ file, sha256: sha256(content) }))
      .sort((a, b) => codePointOrder(a.file, b.file)),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
