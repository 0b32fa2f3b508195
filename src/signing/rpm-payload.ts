import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { quotedExcerpt } from '../boundary/index.js';
import { S_IFDIR, S_IFLNK, S_IFMT, type CpioEntry } from '../rpm/unpack-rpm.js';

// the checked unpacker moved to src/rpm/unpack-rpm.ts (kmod and overlay unpack RPMs too)
export { cpioEntries, PayloadRefused, unpackRpm as extractPayload, unsafeCpioEntry, type CpioEntry } from '../rpm/unpack-rpm.js';

const KINDS: Record<number, string> = {
  [0o100000]: 'a regular file',
  [S_IFDIR]: 'a folder',
  [S_IFLNK]: 'a symbolic link',
  [0o020000]: 'a character device',
  [0o060000]: 'a block device',
  [0o010000]: 'a FIFO',
  [0o140000]: 'a socket',
};
const kind = (mode: number): string => KINDS[mode & S_IFMT] ?? `of type ${(mode & S_IFMT).toString(8)}`;

/**
 * Why the payload is not exactly the files its header lists (`expected`: path → file type, the
 * `%ghost` files left out), or undefined. The header is what a signer inspects (`rpm -qlp`) and
 * what the rebuild spec lists; a payload entry it does not list (a module inside a "file" that is
 * a folder in the payload) would be signed and, through the folder, packed into the result.
 */
export function payloadMismatch(entries: CpioEntry[], expected: Map<string, number>): string | undefined {
  const seen = new Set<string>();
  for (const e of entries) {
    const p = `/${e.name
      .split('/')
      .filter((s) => s !== '' && s !== '.')
      .join('/')}`;
    const shown = quotedExcerpt(p);
    const want = expected.get(p);
    if (want === undefined) return `the payload holds ${shown}, which the header does not list`;
    if (want !== (e.mode & S_IFMT)) return `the payload's ${shown} is ${kind(e.mode)}, the header lists ${kind(want)}`;
    if (seen.has(p)) return `the payload holds ${shown} twice`;
    seen.add(p);
  }
  for (const p of expected.keys()) if (!seen.has(p)) return `the header lists ${quotedExcerpt(p)}, which the payload does not hold`;
  return undefined;
}

const DIGESTS: Record<number, string> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };

async function fileDigest(file: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Why the unpacked payload under `dir` does not hold what the header says (a regular file's
 * digest, a link's target), or undefined. Run before anything is signed.
 */
export async function payloadContentMismatch(
  dir: string,
  contents: Map<string, { digest?: string; linkTo?: string }>,
  digestAlgorithm: number,
): Promise<string | undefined> {
  const algorithm = DIGESTS[digestAlgorithm];
  if (!algorithm) return `the header's file digest algorithm ${digestAlgorithm} is not one rpm writes`;
  for (const [p, want] of contents) {
    const abs = path.join(dir, p);
    const shown = quotedExcerpt(p);
    const st = await lstat(abs);
    if (want.linkTo !== undefined) {
      if (!st.isSymbolicLink() || (await readlink(abs)) !== want.linkTo)
        return `the payload's link ${shown} does not point where the header says`;
    } else if (want.digest !== undefined) {
      if (!st.isFile() || (await fileDigest(abs, algorithm)) !== want.digest)
        return `the payload's ${shown} is not the file the header describes (its digest differs)`;
    }
  }
  return undefined;
}

/**
 * Why signing would write through a hard link, or undefined: a module or kernel image that shares
 * its inode with another payload file. Signing rewrites the module's bytes, and cpio unpacks hard
 * links as one file, so the other name would receive the module's signed bytes. Refused.
 */
export function hardLinkedSignable(entries: CpioEntry[]): string | undefined {
  const groups = new Map<number, string[]>();
  for (const e of entries) {
    if ((e.mode & S_IFMT) !== 0o100000 || (e.nlink ?? 1) < 2 || e.ino === undefined) continue;
    groups.set(e.ino, [...(groups.get(e.ino) ?? []), e.name.replace(/^\.?\/*/, '/')]);
  }
  for (const names of groups.values()) {
    const signable = names.find((n) => isModulePath(n) || isKernelImagePath(n));
    if (signable && names.length > 1) {
      const other = names.find((n) => n !== signable)!;
      return `${quotedExcerpt(signable)} is a hard link of ${quotedExcerpt(other)}: signing it would change both`;
    }
  }
  return undefined;
}

/** Every regular file under `dir`, as payload paths (`/lib/modules/...`), sorted. */
export async function payloadFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(`/${path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`);
  }
  return out.sort();
}

/** Every symbolic link under `dir`, as payload paths (readdir does not follow them). */
export async function payloadLinks(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isSymbolicLink()) out.add(`/${path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`);
  }
  return out;
}

/** Kernel images kplay signs: vmlinuz*, and the EFI application form some arches ship. */
export function isKernelImagePath(p: string): boolean {
  return /(^|\/)vmlinuz[^/]*$/.test(p) && !p.endsWith('.hmac');
}

export function isModulePath(p: string): boolean {
  return /\.ko(\.xz|\.zst|\.gz)?$/.test(p);
}
