import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../findings/finding.js';
import { PayloadRefused, unpackRpm } from '../../rpm/unpack-rpm.js';
import { isDirectory, pathExists } from '../../fs/path-kind.js';
import type { RpmArch } from '../../model/arch.js';

/** A kernel-devel (or Debian linux-headers) build tree: what modules are compiled and checked against. */
export interface KernelDevelTree {
  /** The folder `make -C` runs in. */
  dir: string;
  /** What to show the user: the folder or the RPM given. */
  label: string;
  /** Its `.config`, when the tree ships one (kernel-devel and linux-headers do). */
  configText?: string;
  /** The RPM arch the `.config` builds for. */
  arch?: RpmArch;
  /** Path of its Module.symvers (the exports the kABI check compares with). */
  symvers: string;
  /** Remove what was unpacked (RPMs); no-op for a folder. */
  dispose(): Promise<void>;
}

/** The RPM arch a kernel `.config` is for, from its arch symbols. */
export function archOfConfig(text: string): RpmArch | undefined {
  if (/^CONFIG_X86_64=y$/m.test(text)) return 'x86_64';
  if (/^CONFIG_ARM64=y$/m.test(text)) return 'aarch64';
  if (/^CONFIG_PPC64=y$/m.test(text) && /^CONFIG_CPU_LITTLE_ENDIAN=y$/m.test(text)) return 'ppc64le';
  if (/^CONFIG_S390=y$/m.test(text)) return 's390x';
  if (/^CONFIG_RISCV=y$/m.test(text)) return 'riscv64';
  return undefined;
}

async function treeAt(dir: string, label: string, dispose: () => Promise<void>): Promise<KernelDevelTree> {
  if (!(await pathExists(path.join(dir, 'Makefile'))))
    throw new UsageError(`--kernel-devel ${label}: no Makefile in ${dir}: not a kernel-devel / linux-headers build tree`);
  const symvers = path.join(dir, 'Module.symvers');
  if (!(await pathExists(symvers)))
    throw new UsageError(`--kernel-devel ${label}: no Module.symvers in ${dir}: the kABI check needs the kernel's exports`);
  const configText = await readFile(path.join(dir, '.config'), 'utf8').catch(() => undefined);
  const arch = configText ? archOfConfig(configText) : undefined;
  return { dir, label, symvers, ...(configText !== undefined ? { configText } : {}), ...(arch ? { arch } : {}), dispose };
}

/**
 * Open `--kernel-devel DIR|RPM`: a build tree folder as it is, or a kernel-devel RPM unpacked
 * (src/rpm/unpack-rpm.ts: every entry checked) into a temporary folder, whose `usr/src/kernels/<kver>` is the tree.
 */
export async function openKernelDevel(location: string): Promise<KernelDevelTree> {
  if (!(await pathExists(location)))
    throw new UsageError(`--kernel-devel ${location} does not exist (give a kernel-devel tree folder or a kernel-devel RPM)`);
  if (await isDirectory(location)) return treeAt(path.resolve(location), location, () => Promise.resolve());
  if (!location.endsWith('.rpm'))
    throw new UsageError(`--kernel-devel ${location}: give a folder (e.g. /usr/src/kernels/<kver>) or a kernel-devel .rpm`);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'kplay-kernel-devel-'));
  const dispose = () => rm(tmp, { recursive: true, force: true });
  try {
    await unpackRpm(location, tmp);
    const kernels = path.join(tmp, 'usr', 'src', 'kernels');
    const entries = await readdir(kernels).catch(() => [] as string[]);
    if (entries.length !== 1)
      throw new UsageError(`--kernel-devel ${location}: expected one usr/src/kernels/<kver> folder in the RPM, found ${entries.length}`);
    return await treeAt(path.join(kernels, entries[0]!), location, dispose);
  } catch (err) {
    await dispose();
    if (err instanceof PayloadRefused) throw new UsageError(`--kernel-devel ${location}: refused to unpack the RPM: ${err.message}`);
    if (err instanceof UsageError && !err.message.startsWith('--kernel-devel'))
      throw new UsageError(`--kernel-devel ${location}: ${err.message}`);
    throw err;
  }
}
