import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A gzip'd cpio archive in the kernel's `newc` format (what the kernel unpacks as its initramfs),
 * written in memory: no `cpio` tool, no root (device nodes are entries, not files), the same
 * bytes for the same input (mtime 0, inode numbers in order).
 */
export type CpioEntry =
  | { kind: 'dir'; name: string; mode?: number }
  | { kind: 'file'; name: string; data: Buffer | string; mode?: number }
  | { kind: 'symlink'; name: string; target: string }
  | { kind: 'char'; name: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(n: number): Buffer {
  return Buffer.alloc((4 - (n % 4)) % 4);
}

export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const push = (name: string, mode: number, data: Buffer, nlink: number, rdev: [number, number] = [0, 0]) => {
    const nameBytes = Buffer.from(`${name}\0`, 'utf8');
    const header = '070701' + [ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0].map(hex8).join('');
    parts.push(Buffer.from(header, 'latin1'), nameBytes, pad4(110 + nameBytes.length), data, pad4(data.length));
  };
  for (const e of entries) {
    const name = e.name.replace(/^\/+/, '');
    switch (e.kind) {
      case 'dir':
        push(name, S_IFDIR | (e.mode ?? 0o755), Buffer.alloc(0), 2);
        break;
      case 'file':
        push(name, S_IFREG | (e.mode ?? 0o644), Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8'), 1);
        break;
      case 'symlink':
        push(name, S_IFLNK | 0o777, Buffer.from(e.target, 'utf8'), 1);
        break;
      case 'char':
        push(name, S_IFCHR | (e.mode ?? 0o600), Buffer.alloc(0), 1, [e.major, e.minor]);
        break;
    }
  }
  ino = 0;
  push('TRAILER!!!', 0, Buffer.alloc(0), 1);
  return Buffer.concat(parts);
}

/** `under` itself (its parent must be in the archive already), then every folder, file and link of `dir` below it (sorted). */
export async function treeEntries(dir: string, under: string): Promise<CpioEntry[]> {
  const out: CpioEntry[] = [];
  const walk = async (abs: string, name: string): Promise<void> => {
    for (const e of (await readdir(abs)).sort()) {
      const a = path.join(abs, e);
      const n = `${name}/${e}`;
      const st = await lstat(a);
      if (st.isDirectory()) {
        out.push({ kind: 'dir', name: n });
        await walk(a, n);
      } else if (st.isSymbolicLink()) {
        out.push({ kind: 'symlink', name: n, target: await readlink(a) });
      } else if (st.isFile()) {
        out.push({ kind: 'file', name: n, data: await readFile(a), mode: st.mode & 0o777 });
      }
    }
  };
  out.push({ kind: 'dir', name: under });
  await walk(dir, under);
  return out;
}

/** Whether an ELF executable is statically linked (no PT_INTERP program header). */
export function isStaticElf(bytes: Buffer): boolean {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = bytes[4] === 2;
  const le = bytes[5] === 1;
  const u16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const phoff = is64 ? Number(le ? bytes.readBigUInt64LE(32) : bytes.readBigUInt64BE(32)) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 > bytes.length) return false;
    if (u32(off) === 3) return false; // PT_INTERP
  }
  return true;
}

/** The initramfs: busybox as /bin/sh, /dev/console, /init, the modules, and the test scripts. */
export function initramfs(args: {
  busybox: Buffer;
  init: string;
  /** Extra entries: the modules tree, the test scripts. */
  entries: readonly CpioEntry[];
}): Buffer {
  const entries: CpioEntry[] = [
    ...['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'lib', 'lib/modules', 'kplay', 'root'].map((name) => ({ kind: 'dir' as const, name })),
    { kind: 'char', name: 'dev/console', major: 5, minor: 1 },
    { kind: 'char', name: 'dev/null', major: 1, minor: 3, mode: 0o666 },
    { kind: 'file', name: 'bin/busybox', data: args.busybox, mode: 0o755 },
    { kind: 'symlink', name: 'bin/sh', target: 'busybox' },
    { kind: 'file', name: 'init', data: args.init, mode: 0o755 },
    ...args.entries,
  ];
  return gzipSync(cpioNewc(entries), { level: 6 });
}
