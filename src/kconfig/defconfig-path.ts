import { kernelSrcArch, type RpmArch } from '../model/arch.js';

/**
 * The files (relative to the tree top, merged in order) that `make <target>` starts from for an
 * arch: `defconfig` is the arch's KBUILD_DEFCONFIG (x86_64 → x86_64_defconfig, aarch64 → defconfig,
 * ppc64le → ppc64_defconfig + le.config), `<name>_defconfig` names a file in arch/<srcarch>/configs.
 */
export function defconfigFiles(arch: RpmArch, target = 'defconfig'): string[] {
  const srcarch = kernelSrcArch(arch);
  const dir = `arch/${srcarch}/configs`;
  if (target === 'defconfig') {
    switch (arch) {
      case 'x86_64':
        return [`${dir}/x86_64_defconfig`];
      case 'ppc64le':
        return [`${dir}/ppc64_defconfig`, `${dir}/le.config`];
      default:
        return [`${dir}/defconfig`];
    }
  }
  if (arch === 'ppc64le' && target === 'ppc64le_defconfig') return [`${dir}/ppc64_defconfig`, `${dir}/le.config`];
  if (!/^[A-Za-z0-9_.+-]+$/.test(target)) throw new Error(`not a config target: ${target}`);
  return [`${dir}/${target}`];
}

/** Whether a base config names a make target (`defconfig`, `x86_64_defconfig`) rather than a file. */
export function isDefconfigTarget(base: string): boolean {
  return /^[A-Za-z0-9_.+-]*defconfig$/.test(base);
}
