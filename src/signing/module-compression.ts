import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';

/**
 * Module compression exactly as the kernel's scripts/Makefile.modinst applies it after signing:
 *   gzip -n -f | xz --check=crc32 --lzma2=dict=1MiB -f | zstd -T0 --rm -f -q
 */
export type ModuleCompression = 'none' | 'gzip' | 'xz' | 'zstd';

export function compressionOf(file: string): ModuleCompression | undefined {
  if (file.endsWith('.ko')) return 'none';
  if (file.endsWith('.ko.xz')) return 'xz';
  if (file.endsWith('.ko.zst')) return 'zstd';
  if (file.endsWith('.ko.gz')) return 'gzip';
  return undefined;
}

const TOOLS: Record<Exclude<ModuleCompression, 'none'>, { cmd: string; pack: string[]; unpack: string[]; debian: string }> = {
  gzip: { cmd: 'gzip', pack: ['-n', '-c'], unpack: ['-d', '-c'], debian: 'gzip' },
  xz: { cmd: 'xz', pack: ['--check=crc32', '--lzma2=dict=1MiB', '-c'], unpack: ['-d', '-c'], debian: 'xz-utils' },
  zstd: { cmd: 'zstd', pack: ['-T0', '-q', '-c'], unpack: ['-d', '-q', '-c'], debian: 'zstd' },
};

async function pipe(kind: Exclude<ModuleCompression, 'none'>, args: string[], input: Buffer, what: string): Promise<Buffer> {
  const t = TOOLS[kind];
  try {
    const r = await execa(t.cmd, args, { input, encoding: 'buffer', stripFinalNewline: false });
    return Buffer.from(r.stdout);
  } catch (err) {
    const e = err as { code?: string; stderr?: Uint8Array };
    if (e.code === 'ENOENT') throw new UsageError(`${t.cmd} is not installed (Debian package ${t.debian})`);
    throw new UsageError(`${what}: ${t.cmd} failed: ${Buffer.from(e.stderr ?? []).toString('utf8').trim()}`);
  }
}

export async function decompressModule(kind: ModuleCompression, data: Buffer, what: string): Promise<Buffer> {
  return kind === 'none' ? data : pipe(kind, TOOLS[kind].unpack, data, what);
}

export async function compressModule(kind: ModuleCompression, data: Buffer, what: string): Promise<Buffer> {
  return kind === 'none' ? data : pipe(kind, TOOLS[kind].pack, data, what);
}
