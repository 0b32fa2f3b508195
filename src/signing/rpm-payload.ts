import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, readdir, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';
import { quotedExcerpt } from '../render/boundary/index.js';

/** The payload would put a file somewhere other than below the folder it is unpacked into. */
export class PayloadRefused extends Error {}

export interface CpioEntry {
  /** The name as the archive holds it (`./lib/modules/...`). */
  name: string;
  mode: number;
  /** The inode number and link count cpio records: entries sharing an inode are hard links. */
  ino?: number;
  nlink?: number;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * The entries of a "newc" cpio archive (what rpm2cpio writes), read strictly: every header must
 * lie where the previous entry ends, as GNU cpio reads them when nothing is amiss (cpio would
 * skip "junk" to the next magic; here that is refused), up to the TRAILER!!! entry.
 */
export async function cpioEntries(file: string): Promise<CpioEntry[]> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const entries: CpioEntry[] = [];
    const head = Buffer.alloc(110);
    for (let at = 0; ;) {
      if (at + 110 > size || (await fh.read(head, 0, 110, at)).bytesRead !== 110)
        throw new PayloadRefused('the payload ends without the cpio trailer');
      if (head.toString('latin1', 0, 6) !== '070701') throw new PayloadRefused(`the payload holds no cpio (newc) header at byte ${at}`);
      const field = (i: number): number => {
        const hex = head.toString('latin1', 6 + i * 8, 14 + i * 8);
        if (!/^[0-9A-Fa-f]{8}$/.test(hex)) throw new PayloadRefused(`the cpio header at byte ${at} is not hexadecimal`);
        return parseInt(hex, 16);
      };
      const mode = field(1);
      const fileSize = field(6);
      const nameSize = field(11);
      if (nameSize < 2 || nameSize > 4097) throw new PayloadRefused(`the cpio entry at byte ${at} has a name of ${nameSize} bytes`);
      const nameBytes = Buffer.alloc(nameSize);
      if ((await fh.read(nameBytes, 0, nameSize, at + 110)).bytesRead !== nameSize)
        throw new PayloadRefused('the payload ends inside a cpio header');
      // a name must end in its NUL: without it, where cpio's name ends is cpio's guess, not what was checked
      if (nameBytes[nameSize - 1] !== 0) throw new PayloadRefused(`the cpio entry at byte ${at} has a name without its NUL`);
      // cpio takes the name up to its first NUL
      const end = nameBytes.indexOf(0);
      // UTF-8, as the header's names: latin1 turned 'modulé' into 'modulÃ©', not the name the header lists
      // (bytes that are not UTF-8 become U+FFFD and so never match the header, which kplay refuses then)
      const name = nameBytes.toString('utf8', 0, end);
      at = Math.ceil((at + 110 + nameSize) / 4) * 4;
      if (name === 'TRAILER!!!') return entries;
      entries.push({ name, mode, ino: field(0), nlink: field(4) });
      at = Math.ceil((at + fileSize) / 4) * 4;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Why cpio, unpacking these entries into a folder, would write outside it, or undefined. GNU cpio
 * 2.13 (Debian 12) writes an entry `./a/x` THROUGH an earlier entry `./a` that is a symbolic
 * link (CVE-2015-1197; the payload of a crafted RPM can link `./a` to `/root/.ssh`), and only
 * strips a `..` prefix. So an entry below any link entry of the archive, or with a `..`
 * segment, is refused.
 */
export function unsafeCpioEntry(entries: CpioEntry[]): string | undefined {
  const segments = (name: string): string[] => name.split('/').filter((s) => s !== '' && s !== '.');
  const links = new Set(entries.filter((e) => (e.mode & S_IFMT) === S_IFLNK).map((e) => segments(e.name).join('/')));
  for (const e of entries) {
    const segs = segments(e.name);
    if (segs.includes('..')) return `the payload entry ${quotedExcerpt(e.name)} climbs out of the payload with '..'`;
    if (!segs.length && (e.mode & S_IFMT) !== S_IFDIR)
      return `the payload entry ${quotedExcerpt(e.name)} replaces the payload's own folder`;
    for (let i = 1; i < segs.length; i++) {
      const prefix = segs.slice(0, i).join('/');
      if (links.has(prefix))
        return `the payload entry ${quotedExcerpt(e.name)} lies below its symbolic link ${quotedExcerpt(`./${prefix}`)}: unpacking it would write wherever the link points`;
    }
  }
  return undefined;
}

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
 * Unpack an RPM's payload into `dir` (rpm2cpio, then cpio), keeping modes and mtimes. The
 * archive is written to a file and checked entry by entry first (unsafeCpioEntry); the same
 * bytes are then unpacked, so what cpio reads is what was checked.
 */
export async function extractPayload(rpm: string, dir: string): Promise<CpioEntry[]> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'kplay-cpio-'));
  try {
    const archive = path.join(scratch, 'payload.cpio');
    try {
      await execa('sh', ['-c', 'rpm2cpio "$1" > "$2"', 'kplay-extract', path.resolve(rpm), archive]);
    } catch (err) {
      const e = err as { stderr?: string; exitCode?: number };
      // rpm2cpio exits 1 without a word when the payload does not match the header's size or digest
      const why =
        (e.stderr ?? '').trim().split('\n').pop() || `exit ${e.exitCode ?? '?'}: the payload is damaged or does not match its header`;
      throw new UsageError(`cannot unpack ${displayPath(rpm)} (rpm2cpio, Debian package rpm2cpio): ${why}`);
    }
    const entries = await cpioEntries(archive);
    const unsafe = unsafeCpioEntry(entries);
    if (unsafe) throw new PayloadRefused(unsafe);
    try {
      await execa('cpio', ['-idmu', '--quiet', '--no-absolute-filenames'], { cwd: dir, inputFile: archive });
    } catch (err) {
      const e = err as { code?: string; stderr?: string };
      if (e.code === 'ENOENT') throw new UsageError('cpio is not installed (Debian package cpio)');
      throw new UsageError(`cannot unpack ${displayPath(rpm)} (cpio): ${(e.stderr ?? '').trim().split('\n').pop() ?? ''}`);
    }
    return entries;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
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
