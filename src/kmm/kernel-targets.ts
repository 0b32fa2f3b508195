import type { Finding } from '../findings/finding.js';
import type { KmodBase, Variant } from '../model/variant.js';
import type { RpmArch } from '../model/arch.js';

/** One kernel the driver image is built for: the kernel-devel version-release and `uname -r`. */
export interface KernelTarget {
  /** kmod_kernel_version, e.g. 5.14.0-570.el9 */
  version: string;
  arch: RpmArch;
  /** `uname -r` on the node, the image tag: 5.14.0-570.el9.x86_64 */
  full: string;
}

const KERNEL = /^(\d+\.\d+(?:\.\d+)?)-([A-Za-z0-9._]+?)(?:\.(x86_64|aarch64|ppc64le|s390x|riscv64))?$/;

/**
 * Check each `--kernel` against what the kmod variant can build: a kernel-devel version-release
 * of the same upstream release as the module sources (whose features' kernel ranges resolve
 * already checked), on an arch of the variant. Errors point at the variant line that decides.
 */
export function kernelTargets(kernels: string[], variant: Variant<KmodBase>): { targets: KernelTarget[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const targets: KernelTarget[] = [];
  kernels.forEach((k, i) => {
    const m = KERNEL.exec(k);
    const where = { file: '--kernel', line: i + 1, col: 1 };
    if (!m) {
      findings.push({ code: 'E_KMM_KERNEL', severity: 'error', message: `--kernel '${k}' is not a kernel version-release (5.14.0-570.el9, optionally .x86_64)`, where });
      return;
    }
    const [, upstream, , arch] = m;
    const version = arch ? k.slice(0, -(arch.length + 1)) : k;
    if (upstream !== variant.base.version) {
      findings.push({
        code: 'E_KMM_KERNEL',
        severity: 'error',
        message: `the variant cannot build for kernel ${k}: its module sources are from ${variant.base.version} (kmod.kernel-version ${variant.base.kernelVersion}), not ${upstream}`,
        where: variant.base.versionWhere,
        hint: 'give a kernel of the same upstream release, or make a kmod variant for that release',
      });
      return;
    }
    if (arch && !variant.arches.list.includes(arch as RpmArch)) {
      findings.push({ code: 'E_KMM_KERNEL', severity: 'error', message: `the variant cannot build for kernel ${k}: ${arch} is not one of its arches (${variant.arches.list.join(', ')})`, where: variant.arches.where });
      return;
    }
    for (const a of arch ? [arch as RpmArch] : variant.arches.list) {
      const full = `${version}.${a}`;
      if (!targets.some((t) => t.full === full)) targets.push({ version, arch: a, full });
    }
  });
  return { targets, findings };
}
