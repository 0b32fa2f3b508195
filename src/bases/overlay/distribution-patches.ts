import type { Finding } from '../../findings/finding.js';
import { OPTIONAL_PATCH_MIN_LINES } from './short-patch.js';
import { expandMacros, type SpecMacros } from './spec-macros.js';

export interface DistributionPatch {
  file: string;
  text: Buffer;
  /** 1-based line of the spec that applies it. */
  line: number;
}

function lineCount(text: Buffer): number {
  let n = 0;
  for (const b of text) if (b === 0x0a) n++;
  return n;
}

/**
 * The patches the distribution's own %prep applies (`ApplyOptionalPatch` / `ApplyPatch` lines, in
 * order, file names with the spec's macros expanded), as the build will: `ApplyOptionalPatch`
 * skips files of 9 lines or fewer (the empty `patch-5.14-redhat.patch` of CentOS Stream,
 * `linux-kernel-test.patch`). kplay's own lines (between overlay markers) are not read: the
 * caller strips them first. A name kplay cannot expand, or a file the package lacks, is a finding.
 */
export function distributionPatches(
  lines: readonly string[],
  macros: SpecMacros,
  files: ReadonlyMap<string, Buffer>,
  specLabel: string,
): { patches: DistributionPatch[]; findings: Finding[] } {
  const patches: DistributionPatch[] = [];
  const findings: Finding[] = [];
  lines.forEach((raw, i) => {
    // at the start of a line: the function bodies call `ApplyPatch $patch` indented
    const m = /^(ApplyOptionalPatch|ApplyPatch)\s+([^\s$]+)/.exec(raw);
    if (!m) return;
    const where = { file: specLabel, line: i + 1, col: 1 };
    const name = expandMacros(m[2]!, macros);
    if (!name.ok) {
      findings.push({
        code: 'E_OVERLAY_SPEC_MACRO',
        severity: 'error',
        message: `cannot tell which patch '${m[2]}' is: ${name.problem}`,
        where,
        hint: 'kplay expands %global/%define macros itself and never runs rpm on a dist-git spec',
      });
      return;
    }
    const text = files.get(name.text);
    if (!text) {
      findings.push({
        code: 'E_OVERLAY_SOURCE_MISSING',
        severity: 'error',
        message: `the spec applies ${name.text}, which is not among the package's files`,
        where,
      });
      return;
    }
    if (m[1] === 'ApplyOptionalPatch' && lineCount(text) < OPTIONAL_PATCH_MIN_LINES) return;
    patches.push({ file: name.text, text, line: i + 1 });
  });
  return { patches, findings };
}
