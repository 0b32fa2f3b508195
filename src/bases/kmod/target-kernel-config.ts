import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../../findings/finding.js';
import type { RpmArch } from '../../model/arch.js';
import { archOfConfig } from './kernel-devel-tree.js';

/** The target kernel's configuration the kmod's Kconfig requests are checked in. */
export interface TargetKernelConfig {
  /** Shown in messages: the kernel-devel folder/RPM, or the config file. */
  label: string;
  /** `<label>/.config` or the file itself. */
  file: string;
  configText?: string;
  arch?: RpmArch;
}

/**
 * `--kernel-config FILE`: the distribution's own config of the target kernel (a dist-git
 * `kernel-x86_64-rhel.config`, Debian's `config.amd64_none_amd64.xz`), plain, .xz or .gz.
 */
export async function readTargetKernelConfig(file: string): Promise<TargetKernelConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UsageError(`--kernel-config ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message}`);
  }
  let text: string;
  if (file.endsWith('.gz')) text = gunzipSync(bytes).toString('utf8');
  else if (file.endsWith('.xz')) text = (await execa('xz', ['-dc'], { input: bytes, encoding: 'utf8', stripFinalNewline: false })).stdout;
  else text = bytes.toString('utf8');
  if (!/^(CONFIG_\w+=|# CONFIG_\w+ is not set)/m.test(text)) throw new UsageError(`--kernel-config ${file}: not a kernel .config (no CONFIG_ lines)`);
  const arch = archOfConfig(text);
  return { label: file, file, configText: text, ...(arch ? { arch } : {}) };
}
