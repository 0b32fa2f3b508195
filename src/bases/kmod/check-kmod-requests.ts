import type { MergedConfig } from '../../config/merge-config.js';
import type { Finding } from '../../findings/finding.js';

/**
 * A kmod package can only add modules: a feature's `CONFIG_X=y` (built into the kernel) cannot be
 * delivered by it. Each such request is an error on the line that asked for it, with a hint:
 * `=m` when the option is a tristate the module build can take, else "the target kernel must
 * already have it".
 */
export function builtinRequestFindings(merged: readonly MergedConfig[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const m of merged) {
    for (const [sym, s] of m.symbols) {
      const v = s.request.value;
      if (v.type !== 'tristate' || v.value !== 'y') continue;
      const key = `${sym}@${s.request.where.file}:${s.request.where.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        code: 'E_KMOD_BUILTIN_REQUEST',
        severity: 'error',
        message: `CONFIG_${sym}=y asks for code built into the kernel, which a kmod package cannot deliver`,
        where: s.request.where,
        ...(s.request.origin.kind === 'feature' ? { feature: s.request.origin.name } : {}),
        hint: `ask for CONFIG_${sym}=m if it is a module, or leave it out when the target kernel already has it (its kernel-devel .config shows CONFIG_${sym}=y); the Kconfig check with --kernel-devel tells which`,
      });
    }
  }
  return findings;
}
