import { spawn } from 'node:child_process';
import { UsageError } from '../findings/finding.js';

/** A module larger than this once decompressed is refused (the largest real ones are ~30 MiB). */
export const MAX_MODULE_BYTES = 128 * 1024 * 1024;

/** A module kplay cannot sign (too large, corrupt compression, malformed signature): E_SIGN_MODULE, exit 2. */
export function moduleRefusal(what: string, why: string): UsageError {
  const message = `${what}: ${why}; kplay signs nothing`;
  const file = what.replace(/:\/.*$/, '');
  return new UsageError(message, [{ code: 'E_SIGN_MODULE', severity: 'error', message, where: { file, line: 0, col: 0 } }]);
}

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

/**
 * Run `tool args`, feed it `input`, collect its output up to MAX_MODULE_BYTES (then kill it): a
 * plain spawn, since collecting hundreds of MiB of small chunks is what crashed before.
 */
function run(cmd: string, args: string[], input: Buffer): Promise<{ out: Buffer; code: number | null; stderr: string; over: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (over) return;
      size += d.length;
      if (size > MAX_MODULE_BYTES) {
        over = true;
        chunks.length = 0;
        child.kill('SIGKILL');
      } else chunks.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ out: Buffer.concat(chunks), code, stderr, over }));
    child.stdin.end(input);
  });
}

async function pipe(kind: Exclude<ModuleCompression, 'none'>, args: string[], input: Buffer, what: string): Promise<Buffer> {
  const t = TOOLS[kind];
  let r;
  try {
    r = await run(t.cmd, args, input);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${t.cmd} is not installed (Debian package ${t.debian})`);
    throw err;
  }
  // the output is capped: 300 MiB of zeros compress into a few KiB
  if (r.over) throw moduleRefusal(what, `larger than ${MAX_MODULE_BYTES / 1024 / 1024} MiB once decompressed (a compression bomb?)`);
  if (r.code !== 0) throw moduleRefusal(what, `${t.cmd} failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`);
  return r.out;
}

export async function decompressModule(kind: ModuleCompression, data: Buffer, what: string): Promise<Buffer> {
  return kind === 'none' ? data : pipe(kind, TOOLS[kind].unpack, data, what);
}

export async function compressModule(kind: ModuleCompression, data: Buffer, what: string): Promise<Buffer> {
  return kind === 'none' ? data : pipe(kind, TOOLS[kind].pack, data, what);
}
