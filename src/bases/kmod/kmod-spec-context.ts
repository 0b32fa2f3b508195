import path from 'node:path';
import type { MergedConfig } from '../../config/merge-config.js';
import type { KmodBase, Variant } from '../../model/variant.js';
import type { ResolvedFeatures } from '../../resolve/resolve-features.js';
import { rpmChangelogDate } from '../../spec/rpm-date.js';
import { rpmChangelogText, rpmTag, rpmText } from '../../spec/rpm-escape.js';
import type { OutputPatch } from '../../spec/spec-context.js';

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
 * Context of specfile-templates/kmod.spec.njk. User strings are RPM-escaped here; kernel version,
 * module folders and topdir are limited by the schema to characters that need no escaping.
 */
export function buildKmodSpecContext(variant: Variant<KmodBase>, resolved: ResolvedFeatures, patches: OutputPatch[], merged: readonly MergedConfig[], kplayVersion: string, root: string) {
  const base = variant.base;
  const dirs = [...new Set(resolved.order.flatMap((r) => base.modules[r.feature.name]?.dirs ?? []))].map((d) => d.replace(/\/+$/, ''));
  return {
    kplay: { version: kplayVersion },
    variant: {
      file: rpmTag(path.relative(root, path.resolve(variant.file)).split(path.sep).join('/')),
      summary: rpmTag(variant.summary),
      description: rpmText(variant.description ?? variant.summary),
    },
    kmod: {
      name: kmodName(variant),
      kernelVersion: base.kernelVersion,
      version: base.driverVersion ?? base.version,
      packaging: base.packaging,
      url: rpmTag(base.url ?? 'https://www.kernel.org/'),
      sourceUrl: rpmTag(base.source.url),
      topdir: base.source.topdir,
      // kmods SIG: extra/drivers/<subsystem>/<pkg> (the folder's own path); ELRepo: extra/<name>
      dirs: dirs.map((d) => ({ dir: d, installDir: base.packaging === 'elrepo' ? `extra/${kmodName(variant)}` : `extra/${d}` })),
      archOptions: moduleOptions(merged),
    },
    release: rpmTag(`${variant.release}${variant.buildid ?? ''}`),
    arches: variant.arches.list,
    features: resolved.order.map((r) => ({ name: rpmTag(r.feature.name), summary: rpmTag(r.feature.summary) })),
    patches: patches.map((p) => ({ number: p.number, feature: rpmTag(p.feature), origin: rpmTag(p.origin), file: p.file })),
    changelog: variant.changelog.map((e) => ({ date: rpmChangelogDate(e.date), author: rpmTag(e.author), text: rpmChangelogText(e.text) })),
  };
}
