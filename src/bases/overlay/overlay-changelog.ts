import type { Variant } from '../../model/variant.js';
import type { SpecBoundary } from '../../boundary/index.js';

/**
 * The date, author and text of the %changelog entry an overlay adds: the variant's newest entry,
 * else the date of the spec's newest entry (so the output does not depend on the day of the compose).
 */
export function overlayChangelogEntry(
  variant: Variant,
  specLines: readonly string[],
  b: SpecBoundary,
): { date: string; author: string; lines: string[] } {
  const mine = variant.changelog[0];
  if (mine) {
    return {
      date: b.changelogDate(mine.date, variant.textWhere?.changelog),
      author: b.requiredTag(mine.author, variant.textWhere?.changelog, 'a changelog author'),
      lines: b.changelog(mine.text, variant.textWhere?.changelog).split('\n').filter(Boolean),
    };
  }
  const at = specLines.findIndex((l) => l.trim() === '%changelog');
  const newest = specLines.slice(at + 1).find((l) => l.startsWith('* '));
  const date = /^\* (\w{3} \w{3} +\d{1,2} \d{4})/.exec(newest ?? '')?.[1] ?? 'Thu Jan 01 1970';
  return { date, author: 'kplay <kplay@localhost>', lines: [] };
}
