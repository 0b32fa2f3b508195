/**
 * The one place RPM architecture names map to the kernel's SRCARCH (and the ARCH passed to make).
 */
export const RPM_ARCHES = ['x86_64', 'aarch64', 'ppc64le', 's390x', 'riscv64'] as const;
export type RpmArch = (typeof RPM_ARCHES)[number];

const KERNEL_ARCH: Record<RpmArch, { srcarch: string; arch: string }> = {
  x86_64: { srcarch: 'x86', arch: 'x86_64' },
  aarch64: { srcarch: 'arm64', arch: 'arm64' },
  ppc64le: { srcarch: 'powerpc', arch: 'powerpc' },
  s390x: { srcarch: 's390', arch: 's390' },
  riscv64: { srcarch: 'riscv', arch: 'riscv' },
};

export function isRpmArch(name: string): name is RpmArch {
  return (RPM_ARCHES as readonly string[]).includes(name);
}

/** Kernel SRCARCH (folder under arch/) for an RPM arch. */
export function kernelSrcArch(arch: RpmArch): string {
  return KERNEL_ARCH[arch].srcarch;
}

/** Value for make's ARCH= for an RPM arch. */
export function kernelMakeArch(arch: RpmArch): string {
  return KERNEL_ARCH[arch].arch;
}
