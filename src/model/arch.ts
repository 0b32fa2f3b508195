/**
 * The one place RPM architecture names map to the kernel's SRCARCH (and the ARCH passed to make).
 */
export const RPM_ARCHES = ['x86_64', 'aarch64', 'ppc64le', 's390x', 'riscv64'] as const;
export type RpmArch = (typeof RPM_ARCHES)[number];

interface KernelArch {
  srcarch: string;
  arch: string;
  /** make target building the boot image, and where the image lands. */
  imageTarget: string;
  imagePath: string;
}

const KERNEL_ARCH: Record<RpmArch, KernelArch> = {
  x86_64: { srcarch: 'x86', arch: 'x86_64', imageTarget: 'bzImage', imagePath: 'arch/x86/boot/bzImage' },
  aarch64: { srcarch: 'arm64', arch: 'arm64', imageTarget: 'Image.gz', imagePath: 'arch/arm64/boot/Image.gz' },
  ppc64le: { srcarch: 'powerpc', arch: 'powerpc', imageTarget: 'vmlinux', imagePath: 'vmlinux' },
  s390x: { srcarch: 's390', arch: 's390', imageTarget: 'bzImage', imagePath: 'arch/s390/boot/bzImage' },
  riscv64: { srcarch: 'riscv', arch: 'riscv', imageTarget: 'Image', imagePath: 'arch/riscv/boot/Image' },
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

/** The boot image make target and its output path for an RPM arch. */
export function kernelImage(arch: RpmArch): { target: string; path: string } {
  return { target: KERNEL_ARCH[arch].imageTarget, path: KERNEL_ARCH[arch].imagePath };
}
