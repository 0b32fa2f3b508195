import type { Finding } from '../findings/finding.js';
import { parsePatch } from '../patches/parse-patch.js';
import type { SeriesPatch } from '../patches/patch-types.js';

/** Kconfig symbols a patch declares (`config X` / `menuconfig X` lines it adds to a Kconfig file). */
export function symbolsAddedBy(patch: SeriesPatch): Set<string> {
  const added = new Set<string>();
  const parsed = parsePatch(patch.text, patch.file).patch;
  for (const fp of parsed?.files ?? []) {
    const file = fp.newPath ?? fp.oldPath ?? '';
    if (!/(^|\/)Kconfig[^/]*$/.test(file)) continue;
    for (const h of fp.hunks)
      for (const l of h.lines) {
        const m = l.kind === '+' ? /^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$/.exec(l.text) : null;
        if (m) added.add(m[1]!);
      }
  }
  return added;
}

/** Kconfig findings that can be the consequence of a missing symbol (not the tree's own parse errors). */
function isKconfigConsequence(f: Finding): boolean {
  return /^[EWN]_KCONFIG_/.test(f.code) && f.code !== 'E_KCONFIG_PARSE' && f.code !== 'E_KCONFIG_SHELL';
}

/**
 * Causes before consequences: a patch that does not apply leaves out the Kconfig symbols it would
 * have added, so every request for them comes back as "unknown symbol" or a lost value. Those
 * findings are folded under the patch's own error as notes (one error to act on, not several);
 * a finding about a symbol no failed patch declares stays where it is.
 */
export function foldPatchConsequences(findings: readonly Finding[], series: readonly SeriesPatch[]): Finding[] {
  const failed = findings.filter((f) => f.code === 'E_PATCH_APPLY' && f.where);
  if (failed.length === 0) return [...findings];
  const causes = failed
    .map((f) => {
      const patch = series.find((p) => p.file === f.where!.file);
      return { finding: f, symbols: patch ? symbolsAddedBy(patch) : new Set<string>() };
    })
    .filter((c) => c.symbols.size > 0);
  if (causes.length === 0) return [...findings];
  const folded = new Map<Finding, Finding[]>();
  const out: Finding[] = [];
  for (const f of findings) {
    const cause = isKconfigConsequence(f)
      ? causes.find((c) => [...f.message.matchAll(/\bCONFIG_([A-Za-z0-9_]+)/g)].some((m) => c.symbols.has(m[1]!)))
      : undefined;
    if (!cause) {
      out.push(f);
      continue;
    }
    folded.set(cause.finding, [...(folded.get(cause.finding) ?? []), f]);
  }
  return out.map((f) => {
    const consequences = folded.get(f);
    if (!consequences) return f;
    return {
      ...f,
      related: [
        ...(f.related ?? []),
        ...consequences.map((c) => ({
          message: `follows from this patch not applying: ${c.code}${c.arch ? ` (${c.arch})` : ''}: ${c.message}`,
          where: c.where ?? f.where!,
        })),
      ],
    };
  });
}
