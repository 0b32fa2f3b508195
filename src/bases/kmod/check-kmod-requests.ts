import type { MergedConfig } from '../../config/merge-config.js';
import type { Finding } from '../../findings/finding.js';

/**
 * A kmod package can only add modules: a feature's `CONFIG_X=y` for code outside the module
 * folders (core kernel code, a menu switch, another driver) cannot be delivered by it. A `=y`
 * for an option the module folders' own Kconfig declares (a bool of the module, like cramfs's
 * CRAMFS_BLOCKDEV) is built into the module and allowed. Without the folders' files
 * (`folderSymbols` undefined: no --kernel-source) kplay cannot tell, and says so in the hint.
 */
export function builtinRequestFindings(merged: readonly MergedConfig[], folderSymbols?: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const m of merged) {
    for (const [sym, s] of m.symbols) {
      const v = s.request.value;
      if (v.type !== 'tristate' || v.value !== 'y') continue;
      if (folderSymbols?.has(sym)) continue;
      const key = `${sym}@${s.request.where.file}:${s.request.where.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        code: 'E_KMOD_BUILTIN_REQUEST',
        severity: 'error',
        message: folderSymbols
          ? `CONFIG_${sym}=y asks for code built into the kernel: no Kconfig of the kmod.modules folders declares ${sym}, so a module package cannot deliver it`
          : `CONFIG_${sym}=y asks for code built into the kernel, which a kmod package cannot deliver (without --kernel-source kplay cannot see whether ${sym} is an option of the module folders)`,
        where: s.request.where,
        ...(s.request.origin.kind === 'feature' ? { feature: s.request.origin.name } : {}),
        hint: folderSymbols
          ? `a module package can only set options declared in its own folders' Kconfig (a bool like CRAMFS_BLOCKDEV of fs/cramfs/Kconfig is fine); ${sym} is declared elsewhere, so it is core kernel code or another driver: leave it out when the target kernel already has it (its kernel-devel .config shows CONFIG_${sym}=y), ask for CONFIG_${sym}=m if it is a module you mean to ship (with its folder in kmod.modules), or build a kernel variant instead`
          : `give --kernel-source: a =y option declared in the module folders' Kconfig is built into the module and allowed; one declared elsewhere is core kernel code a kmod cannot deliver (leave it out when the target kernel already has it)`,
      });
    }
  }
  return findings;
}
