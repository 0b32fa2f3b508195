const APPLY_LINE = /^(ApplyOptionalPatch|ApplyPatch)\s+\S/;
const END_OF_APPLICATIONS = /^#\s*END OF PATCH APPLICATIONS/;

/**
 * The line after which the variant's `ApplyOptionalPatch` lines go, so they apply after every
 * patch of the distribution: the last patch application of the block that starts at
 * `ApplyOptionalPatch linux-kernel-test.patch` and ends at `# END OF PATCH APPLICATIONS`, outside
 * any `%if` opened in that block. Fedora and CentOS Stream apply nothing after the test patch (the
 * anchor is the test line itself); CentOS 8 Plus applies its `# plus mod` patches after it.
 */
export function lastDistributionApply(lines: readonly string[], testApplyAt: number): number {
  let depth = 0;
  let anchor = testApplyAt;
  for (let i = testApplyAt + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (END_OF_APPLICATIONS.test(l) || /^%(build|install|files|changelog)\b/.test(l)) break;
    if (/^%if/.test(l)) depth++;
    else if (/^%endif/.test(l)) depth--;
    if (depth < 0) break;
    if (depth === 0 && (APPLY_LINE.test(l) || /^%endif/.test(l))) {
      if (APPLY_LINE.test(l) || lines.slice(testApplyAt + 1, i).some((x) => APPLY_LINE.test(x))) anchor = i;
    }
  }
  return anchor;
}
