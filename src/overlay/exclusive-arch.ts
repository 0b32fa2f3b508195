import type { RpmArch } from '../model/arch.js';
import { expandMacros, type SpecMacros } from './spec-macros.js';

export interface ExclusiveArchChange {
  /** 1-based line of the spec. */
  line: number;
  from: string;
  to: string;
}

/**
 * Restrict every `ExclusiveArch:` line to the variant's arches (plus `noarch`, which builds the
 * documentation and no kernel) when it lists more, so `kernel-local` and the package's other
 * every-arch settings reach only arches the variant asked for. Tokens that are macros kplay cannot
 * expand (`%{arm}`) are not variant arches and are dropped. `buildsOnlyVariantArches` is true when
 * the spec has ExclusiveArch lines and, after the change, none names another arch.
 */
export function restrictExclusiveArch(
  specText: string,
  arches: readonly RpmArch[],
  macros: SpecMacros,
): { text: string; changes: ExclusiveArchChange[]; buildsOnlyVariantArches: boolean } {
  const lines = specText.split('\n');
  const changes: ExclusiveArchChange[] = [];
  let seen = 0;
  const keep = new Set<string>([...arches, 'noarch']);
  lines.forEach((line, i) => {
    const m = /^(ExclusiveArch:\s*)(.*?)\s*$/.exec(line);
    if (!m) return;
    seen++;
    const tokens = m[2]!.split(/[\s,]+/).filter(Boolean);
    const expanded = tokens.flatMap((t) => {
      const r = expandMacros(t, macros);
      return r.ok ? r.text.split(/\s+/).filter(Boolean) : [t];
    });
    const kept = expanded.filter((t) => keep.has(t));
    if (kept.length === expanded.length && expanded.length === tokens.length) return;
    const to = kept.join(' ');
    lines[i] = `${m[1]}${to}`;
    changes.push({ line: i + 1, from: m[2]!, to });
  });
  return { text: lines.join('\n'), changes, buildsOnlyVariantArches: seen > 0 };
}
