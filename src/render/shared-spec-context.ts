import path from 'node:path';
import type { Variant } from '../model/variant.js';
import type { ResolvedFeatures } from '../resolve/resolve-features.js';
import type { SpecBoundary } from '../boundary/index.js';
import type { SourceLocation } from '../findings/finding.js';

/** What the spec says of a patch (an OutputPatch of spec-context.ts, without importing it back). */
interface PatchLine {
  number: number;
  feature: string;
  origin: string;
  file: string;
  where?: SourceLocation;
}

/**
 * The part of a spec template's context every base kind renders the same way: the variant's texts,
 * Release, arches, features, patches and changelog, each through the rendering boundary.
 */
export function sharedSpecContext(
  variant: Variant,
  resolved: ResolvedFeatures,
  patches: readonly PatchLine[],
  kplayVersion: string,
  root: string,
  b: SpecBoundary,
) {
  return {
    kplay: { version: kplayVersion },
    variant: {
      file: b.tag(path.relative(root, path.resolve(variant.file)).split(path.sep).join('/')),
      summary: b.requiredTag(variant.summary, variant.textWhere?.summary, 'the summary'),
      description: b.text(
        variant.description ?? variant.summary,
        variant.description !== undefined ? variant.textWhere?.description : variant.textWhere?.summary,
        'the description',
      ),
    },
    release: b.token(`${variant.release}${variant.buildid ?? ''}`, variant.textWhere?.buildid ?? variant.arches.where, 'release'),
    arches: variant.arches.list,
    features: resolved.order.map((r) => ({
      name: b.tag(r.feature.name, r.feature.where),
      summary: b.tag(r.feature.summary, r.feature.where),
    })),
    patches: patches.map((p) => ({
      number: p.number,
      feature: b.tag(p.feature),
      origin: b.tag(p.origin),
      file: b.sourceFileName('', p.file, p.where),
    })),
    changelog: variant.changelog.map((e) => ({
      date: b.changelogDate(e.date, variant.textWhere?.changelog),
      author: b.requiredTag(e.author, variant.textWhere?.changelog ?? variant.textWhere?.summary, 'a changelog author'),
      text: b.changelog(e.text, variant.textWhere?.changelog),
    })),
  };
}
