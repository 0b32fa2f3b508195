import path from 'node:path';
import { kernelImage, kernelSrcArch, type RpmArch } from '../model/arch.js';
import type { VanillaVariant } from '../model/variant.js';
import type { ResolvedFeatures } from '../resolve/resolve-features.js';
import { rpmChangelogDate } from './rpm-date.js';
import { signingSpecContext } from '../signing/load-signing.js';
import { rpmChangelogText, rpmTag, rpmText, safeFileName } from './rpm-escape.js';

/** A patch as it is written next to the spec: numbered, renamed to a safe unique file name. */
export interface OutputPatch {
  number: number;
  feature: string;
  /** Repository path of the original (features/x/patches/...). */
  origin: string;
  file: string;
  text: Buffer;
}

/** One arch's config Sources. */
export interface OutputConfig {
  arch: RpmArch;
  requestedFile: string;
  /** A full .config (resolved by kplay, or the variant's base file); else the make target runs. */
  baseFile?: string;
  baseTarget: string;
}

/** Number and name the patches of the resolved series (the order they apply). */
export function outputPatches(resolved: ResolvedFeatures): OutputPatch[] {
  const out: OutputPatch[] = [];
  for (const { feature } of resolved.order) {
    for (const p of feature.patches) {
      const number = out.length + 1;
      const base = p.path.split('/').pop()!;
      out.push({
        number,
        feature: feature.name,
        origin: p.path,
        file: `${String(number).padStart(4, '0')}-${safeFileName(feature.name.replace(/\//g, '-'))}-${safeFileName(base)}`,
        text: p.text,
      });
    }
  }
  return out;
}

/** RPM's Version cannot hold `-`: 6.12-rc3 becomes 6.12~rc3 (sorts before 6.12). */
export function rpmVersionOf(version: string): string {
  return version.replace(/-rc/, '~rc');
}

/**
 * The context the spec templates render. Every string that came from a user is escaped here,
 * once, so a template cannot forget it: `%` → `%%` (RPM runs `%(...)` through a shell).
 */
export function buildSpecContext(
  variant: VanillaVariant,
  resolved: ResolvedFeatures,
  patches: OutputPatch[],
  configs: OutputConfig[],
  kplayVersion: string,
  root: string,
) {
  const release = `${variant.release}${variant.buildid ?? ''}`;
  return {
    kplay: { version: kplayVersion },
    variant: {
      name: variant.name, // schema: [a-z0-9_-]
      file: rpmTag(path.relative(root, path.resolve(variant.file)).split(path.sep).join('/')),
      summary: rpmTag(variant.summary),
      description: rpmText(variant.description ?? variant.summary),
    },
    base: {
      version: rpmTag(variant.base.version),
      rpmVersion: rpmTag(rpmVersionOf(variant.base.version)),
      sourceUrl: rpmTag(variant.base.source.url),
      topdir: rpmTag(variant.base.source.topdir),
    },
    release: rpmTag(release),
    arches: variant.arches.list,
    features: resolved.order.map((r) => ({ name: rpmTag(r.feature.name), summary: rpmTag(r.feature.summary) })),
    patches: patches.map((p) => ({ number: p.number, feature: rpmTag(p.feature), origin: rpmTag(p.origin), file: p.file })),
    configs: configs.map((c, i) => ({
      arch: c.arch,
      srcarch: kernelSrcArch(c.arch),
      imageTarget: kernelImage(c.arch).target,
      imagePath: kernelImage(c.arch).path,
      requestedNumber: 100 + i * 10,
      requestedFile: c.requestedFile,
      baseNumber: 101 + i * 10,
      ...(c.baseFile ? { baseFile: c.baseFile } : {}),
      baseTarget: safeFileName(c.baseTarget),
    })),
    signing: signingSpecContext(variant.signing),
    changelog: variant.changelog.map((e) => ({
      date: rpmChangelogDate(e.date),
      author: rpmTag(e.author),
      text: rpmChangelogText(e.text),
    })),
  };
}

export type SpecContext = ReturnType<typeof buildSpecContext>;
