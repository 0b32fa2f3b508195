import type { MergedConfig } from '../../config/merge-config.js';
import type { ArchBuildOptions } from './module-build-options.js';
import type { KmodBase, Variant } from '../../model/variant.js';
import type { ResolvedFeatures } from '../../resolve/resolve-features.js';
import { SpecBoundary } from '../../boundary/index.js';
import type { OutputPatch } from '../../render/spec-context.js';
import { sharedSpecContext } from '../../render/shared-spec-context.js';

/** `kmod-wireguard` and `wireguard` both name the package kmod-wireguard. */
export function kmodName(variant: Variant): string {
  return variant.name.replace(/^kmod-/, '');
}

/** The symbols each arch builds as modules (`CONFIG_X=m` on the make command line). */
export function moduleOptions(merged: readonly MergedConfig[]): Array<{ arch: string; options: string[] }> {
  return merged.map((m) => ({
    arch: m.arch,
    options: [...m.symbols.entries()]
      .filter(([, s]) => s.request.value.type === 'tristate' && s.request.value.value === 'm')
      .map(([sym]) => `CONFIG_${sym}=m`)
      .sort(),
  }));
}

/**
 * The kernel's release number as the spec's Release carries it (the Lua of kmod.spec.njk, in
 * TypeScript): 5.14.0-570.el9 → `570`, 5.14.0-570.12.1.el9_6 → `570_12_1`.
 */
export function kmodKernelRelease(kernelVersion: string): string {
  const m = /^[^-]+-([\d.]+)/.exec(kernelVersion);
  return (m?.[1] ?? '0').replace(/\.$/, '').replace(/\./g, '_');
}

/**
 * Context of specfile-templates/kmod.spec.njk. User strings are RPM-escaped here; kernel version,
 * module folders and topdir are limited by the schema to characters that need no escaping.
 */
export function buildKmodSpecContext(
  variant: Variant<KmodBase>,
  resolved: ResolvedFeatures,
  patches: OutputPatch[],
  buildOptions: readonly ArchBuildOptions[],
  kplayVersion: string,
  root: string,
  b: SpecBoundary = new SpecBoundary(),
) {
  const base = variant.base;
  const sourceFile = b.sourceFileName(base.source.url, base.source.fileName, base.source.where, 'kmod source');
  const dirs = [...new Set(resolved.order.flatMap((r) => base.modules[r.feature.name]?.dirs ?? []))].map((d) => d.replace(/\/+$/, ''));
  const name = b.token(kmodName(variant), variant.arches.where, 'kmod name');
  return {
    ...sharedSpecContext(variant, resolved, patches, kplayVersion, root, b),
    kmod: {
      name,
      kernelVersion: b.token(base.kernelVersion, base.versionWhere, 'kmod kernel-version'),
      version: b.token(base.driverVersion ?? base.version, base.versionWhere, 'kmod version'),
      packaging: base.packaging,
      url: b.tag(base.url ?? 'https://www.kernel.org/'),
      sourceUrl: b.sourceTag(base.source.url, sourceFile, base.source.where),
      // the default topdir comes from the URL: a bare word of %prep's tar line, so only a token
      topdir: b.tokenPath(base.source.topdir, base.source.where, 'kmod source topdir'),
      // kmods SIG: extra/drivers/<subsystem>/<pkg> (the folder's own path, or kmod.install-dir); ELRepo: extra/<name>
      dirs: dirs.map((d) => {
        const dir = b.tokenPath(d, base.source.where, 'module folder');
        const installDir =
          base.packaging === 'elrepo'
            ? `extra/${name}`
            : base.installDir
              ? b.tokenPath(base.installDir, base.filesWhere, 'kmod install-dir')
              : `extra/${dir}`;
        return { dir, installDir };
      }),
      installDirs: [
        ...new Set(dirs.map((d) => (base.packaging === 'elrepo' ? `extra/${name}` : base.installDir ? base.installDir : `extra/${d}`))),
      ].map((d) => b.tokenPath(d, base.filesWhere, 'kmod install folder')),
      // extra dependencies, rich ones included (checked against rpm's grammar at the boundary)
      dependencies: (base.dependencies ?? []).map((d) => ({
        tag: d.tag,
        value: b.dependency(d.value, d.where, { rich: d.tag === 'Supplements' ? 'conflicts' : 'requires' }, `kmod ${d.tag.toLowerCase()}`),
      })),
      licenseFiles: (base.licenseFiles ?? []).map((f) => b.tokenPath(f, base.filesWhere, 'kmod license file')),
      docFiles: (base.docFiles ?? []).map((f) => b.tokenPath(f, base.filesWhere, 'kmod doc file')),
      firmware: (base.firmware ?? []).map((f) => {
        const file = b.tokenPath(f, base.filesWhere, 'kmod firmware file');
        return { file, name: file.split('/').pop()! };
      }),
      providesKernelModules: base.providesKernelModules === true,
      // per arch, make's CONFIG_X=y|m words and the C defines of options the target's autoconf.h lacks
      archOptions: buildOptions.map((b) => ({ arch: b.arch, options: b.make, kcflags: b.kcflags })),
      // per changelog entry, the Release suffix of the kernel it was built for (`.k56%{?dist}`);
      // entries without `kernel:` (written by hand before kplay track kept it) show the bare release
      changelogRelease: variant.changelog.map((e) => (e.kernel ? `.k${kmodKernelRelease(e.kernel)}%{?dist}` : '')),
    },
  };
}
