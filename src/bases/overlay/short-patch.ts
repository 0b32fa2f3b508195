import type { Finding } from '../../findings/finding.js';

/** ApplyOptionalPatch applies a patch only when it has more than this many lines. */
export const OPTIONAL_PATCH_MIN_LINES = 10;

function lineCount(text: Buffer): number {
  // what `wc -l` counts: newline characters
  let n = 0;
  for (const b of text) if (b === 0x0a) n++;
  return n;
}

/**
 * Keep a patch from being skipped by ApplyOptionalPatch (files of 9 lines or fewer are ignored
 * silently): pad it with leading commentary lines, which `patch` and `git apply` skip, with a
 * W_OVERLAY_PATCH_PADDED warning; or refuse it with E_OVERLAY_PATCH_SHORT.
 */
export function guardShortPatch(
  patch: { file: string; feature: string; text: Buffer; where: Finding['where'] },
  mode: 'pad' | 'refuse',
): { text: Buffer; findings: Finding[] } {
  const lines = lineCount(patch.text);
  if (lines >= OPTIONAL_PATCH_MIN_LINES) return { text: patch.text, findings: [] };
  const base = { feature: patch.feature, ...(patch.where ? { where: patch.where } : {}) };
  if (mode === 'refuse') {
    return {
      text: patch.text,
      findings: [
        {
          code: 'E_OVERLAY_PATCH_SHORT',
          severity: 'error',
          message: `${patch.file} has ${lines} line(s); the spec's ApplyOptionalPatch skips patches of 9 lines or fewer, so it would never be applied`,
          ...base,
          hint: 'set base.short-patches: pad, or give the patch a commit message',
        },
      ],
    };
  }
  const padding = Array.from({ length: OPTIONAL_PATCH_MIN_LINES - lines }, (_, i) =>
    i === 0 ? `kplay: ${patch.file} padded to ${OPTIONAL_PATCH_MIN_LINES} lines so ApplyOptionalPatch applies it` : 'kplay: padding',
  ).join('\n');
  return {
    text: Buffer.concat([Buffer.from(`${padding}\n`), patch.text]),
    findings: [
      {
        code: 'W_OVERLAY_PATCH_PADDED',
        severity: 'warning',
        message: `${patch.file} has ${lines} line(s), which ApplyOptionalPatch would skip; kplay put ${OPTIONAL_PATCH_MIN_LINES - lines} commentary line(s) before it`,
        ...base,
      },
    ],
  };
}
