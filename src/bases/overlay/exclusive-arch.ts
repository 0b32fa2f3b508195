import type { RpmArch } from '../../model/arch.js';
import { expandMacros, type SpecMacros } from './spec-macros.js';

const FOREIGN_ARCH_MACROS = new Set(['%{arm}', '%arm', '%{arm32}', '%arm32', '%{ix86}', '%ix86']);

export interface ExclusiveArchChange {
  /** 1-based line of the spec. */
  line: number;
  from: string;
  to: string;
}

/**
 * Restrict every `ExclusiveArch:` line to the variant's arches (plus `noarch`, which builds the
 * documentation and no kernel) when it lists more, so `kernel-local` and the package's other
 * every-arch settings reach only arches the variant asked for. `buildsOnlyVariantArches` is true when
 * the spec has ExclusiveArch lines. `excluded`: variant arches no ExclusiveArch line lists (judged
 * only when every token could be read).
 */
export function restrictExclusiveArch(
  specText: string,
  arches: readonly RpmArch[],
  macros: SpecMacros,
): { text: string; changes: ExclusiveArchChange[]; buildsOnlyVariantArches: boolean; excluded: RpmArch[] } {
  const lines = specText.split('\n');
  const changes: ExclusiveArchChange[] = [];
  let seen = 0;
  // variant arches no ExclusiveArch line lists (only judged when every token could be read)
  let excluded: Set<RpmArch> | undefined = new Set(arches);
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
    if (expanded.some((t) => t.includes('%') && !FOREIGN_ARCH_MACROS.has(t))) excluded = undefined;
    else for (const t of expanded) excluded?.delete(t as RpmArch);
    // a macro kplay cannot expand stays unless it names only 32-bit arches (%{arm}, %{ix86}), which
    // kplay never builds; %{power64} (ppc64le) and the like may hold a variant arch
    const kept = expanded.filter((t) => keep.has(t) || (t.includes('%') && !FOREIGN_ARCH_MACROS.has(t)));
    if (kept.length === expanded.length && expanded.length === tokens.length) return;
    const to = kept.join(' ');
    lines[i] = `${m[1]}${to}`;
    changes.push({ line: i + 1, from: m[2]!, to });
  });
  return { text: lines.join('\n'), changes, buildsOnlyVariantArches: seen > 0, excluded: seen > 0 && excluded ? [...excluded] : [] };
}
