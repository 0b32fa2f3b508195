import type { SourceLocation } from '../findings/finding.js';
import { kernelImage, kernelSrcArch, type RpmArch } from '../model/arch.js';
import type { VanillaVariant } from '../model/variant.js';
import type { ResolvedFeatures } from '../resolve/resolve-features.js';
import { safeFileName } from './rpm-escape.js';
import { SpecBoundary } from '../boundary/index.js';
import { signingSpecContext } from '../load/load-signing.js';
import { sharedSpecContext } from './shared-spec-context.js';

/** A patch as it is written next to the spec: numbered, renamed to a safe unique file name. */
export interface OutputPatch {
  number: number;
  feature: string;
  /** Repository path of the original (features/x/patches/...). */
  origin: string;
  file: string;
  text: Buffer;
  /** The series line (or patch file) that named it. */
  where?: SourceLocation;
}

/** One arch's config Sources. */
export interface OutputConfig {
  arch: RpmArch;
  requestedFile: string;
  /** A full .config (resolved by kplay, or the variant's base file); else the make target runs. */
  baseFile?: string;
  baseTarget: string;
  /** Where the base config was set (for findings). */
  where?: SourceLocation;
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
        ...(p.where ? { where: p.where } : {}),
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
 * The context the spec templates render. Every string that came from a user passes the rendering
 * boundary here, once, so a template cannot forget it; a value the boundary refuses becomes a
 * finding in `boundary.findings` and the spec must then not be written.
 */
export function buildSpecContext(
  variant: VanillaVariant,
  resolved: ResolvedFeatures,
  patches: OutputPatch[],
  configs: OutputConfig[],
  kplayVersion: string,
  root: string,
  boundary: SpecBoundary = new SpecBoundary(),
) {
  const b = boundary;
  const src = variant.base.source;
  const sourceFile = b.sourceFileName(src.url, src.fileName, src.where, 'base source');
  const shared = sharedSpecContext(variant, resolved, patches, kplayVersion, root, b);
  return {
    ...shared,
    variant: { name: b.token(variant.name, variant.arches.where, 'variant name'), ...shared.variant },
    base: {
      version: b.token(variant.base.version, variant.base.versionWhere, 'base version'),
      rpmVersion: b.token(rpmVersionOf(variant.base.version), variant.base.versionWhere, 'base version'),
      sourceUrl: b.sourceTag(src.url, sourceFile, src.where),
      topdir: b.token(src.topdir, src.where, 'base source topdir'),
    },
    configs: configs.map((c, i) => ({
      arch: c.arch,
      srcarch: kernelSrcArch(c.arch),
      imageTarget: kernelImage(c.arch).target,
      imagePath: kernelImage(c.arch).path,
      requestedNumber: 100 + i * 10,
      requestedFile: b.sourceFileName('', c.requestedFile, undefined),
      baseNumber: 101 + i * 10,
      ...(c.baseFile ? { baseFile: b.sourceFileName('', c.baseFile, c.where) } : {}),
      baseTarget: b.token(c.baseTarget, c.where, 'base config target'),
    })),
    signing: signingSpecContext(variant.signing),
  };
}

export type SpecContext = ReturnType<typeof buildSpecContext>;
