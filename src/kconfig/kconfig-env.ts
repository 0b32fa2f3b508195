import type { ShellRunner } from './macro-preprocessor.js';

/** Tools the kernel's Makefile names and exports to Kconfig (GNU toolchain defaults). */
export const TOOL_VARIABLES = [
  'CC',
  'LD',
  'AR',
  'NM',
  'OBJCOPY',
  'OBJDUMP',
  'READELF',
  'STRIP',
  'PAHOLE',
  'RUSTC',
  'BINDGEN',
  'HOSTCC',
  'HOSTCXX',
] as const;

export interface KconfigEnvInput {
  /** Absolute path of the tree top (what the Makefile exports as srctree for O= builds). */
  srctree: string;
  /** make's ARCH. */
  arch: string;
  /** Kernel SRCARCH. */
  srcarch: string;
  /** From the top Makefile: 6.1.192. */
  kernelVersion: string;
  crossCompile?: string;
  /** Explicit tool overrides (CC=clang ...). */
  tools?: Partial<Record<(typeof TOOL_VARIABLES)[number], string>>;
}

/** VERSION.PATCHLEVEL.SUBLEVEL+EXTRAVERSION from the top Makefile's text. */
export function kernelVersionFromMakefile(makefile: string): string {
  const get = (name: string): string => {
    const m = new RegExp(`^${name}\\s*=[ \\t]*(.*)$`, 'm').exec(makefile);
    return (m?.[1] ?? '').trim();
  };
  const version = get('VERSION');
  const patch = get('PATCHLEVEL');
  const sub = get('SUBLEVEL');
  return `${version}${patch ? `.${patch}${sub ? `.${sub}` : ''}` : ''}${get('EXTRAVERSION')}`;
}

/**
 * The environment `make *config` hands to conf: the variables Kconfig files and their shell
 * commands read (ARCH, SRCARCH, srctree, CC, LD, ..., KERNELVERSION, CC_VERSION_TEXT).
 */
export function kconfigEnvironment(input: KconfigEnvInput, shell: ShellRunner): Record<string, string> {
  const cross = input.crossCompile ?? '';
  const env: Record<string, string> = {
    ...toolNames(cross, input.tools),
    ARCH: input.arch,
    SRCARCH: input.srcarch,
    srctree: input.srctree,
    objtree: '.',
    KERNELVERSION: input.kernelVersion,
    CROSS_COMPILE: cross,
  };
  env.CC_VERSION_TEXT = shell.run(`LC_ALL=C ${env.CC} --version 2>/dev/null | head -n 1`).replace(/#/g, '');
  return env;
}

/** Tool commands as the Makefile names them for a cross prefix, with explicit overrides. */
export function toolNames(cross: string, tools: KconfigEnvInput['tools'] = {}): Record<string, string> {
  const defaults: Record<string, string> = {
    CC: `${cross}gcc`,
    LD: `${cross}ld`,
    AR: `${cross}ar`,
    NM: `${cross}nm`,
    OBJCOPY: `${cross}objcopy`,
    OBJDUMP: `${cross}objdump`,
    READELF: `${cross}readelf`,
    STRIP: `${cross}strip`,
    PAHOLE: 'pahole',
    RUSTC: 'rustc',
    BINDGEN: 'bindgen',
    HOSTCC: 'gcc',
    HOSTCXX: 'g++',
  };
  return { ...defaults, ...Object.fromEntries(Object.entries(tools).filter((e): e is [string, string] => e[1] !== undefined)) };
}
