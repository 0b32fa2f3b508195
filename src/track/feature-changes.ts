import type { FeatureOutcome } from './track-state.js';

export interface FeatureChange {
  feature: string;
  before?: FeatureOutcome;
  after?: FeatureOutcome;
  /** Codes that appeared / went away. */
  added: string[];
  removed: string[];
}

/** Per feature, how its outcome on the new base differs from the previous base (unchanged features are left out). */
export function featureChanges(before: Record<string, FeatureOutcome> | undefined, after: Record<string, FeatureOutcome>): FeatureChange[] {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])];
  const out: FeatureChange[] = [];
  for (const feature of names) {
    const b = before?.[feature];
    const a = after[feature];
    const added = (a?.codes ?? []).filter((c) => !(b?.codes ?? []).includes(c));
    const removed = (b?.codes ?? []).filter((c) => !(a?.codes ?? []).includes(c));
    if (b && a && b.status === a.status && !added.length && !removed.length) continue;
    out.push({ feature, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}), added, removed });
  }
  return out;
}

/** `overlayfs: ok -> broken (+E_PATCH_APPLY)` */
export function formatFeatureChange(c: FeatureChange): string {
  const codes = [...c.added.map((x) => `+${x}`), ...c.removed.map((x) => `-${x}`)];
  const from = c.before?.status ?? 'not in the variant';
  const to = c.after?.status ?? 'gone';
  return `${c.feature}: ${from} -> ${to}${codes.length ? ` (${codes.join(', ')})` : ''}`;
}
