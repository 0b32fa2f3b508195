import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';
import { quotedExcerpt } from '../boundary/index.js';

// The one way kplay unpacks an RPM (kernel-devel for kmods, an SRPM for overlay, built RPMs for
// signing and kABI): rpm2cpio into a file, every cpio entry checked, then cpio on the same bytes
// with --no-absolute-filenames, so nothing lands outside the folder it is unpacked into.

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

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

/**
 * Unpack an RPM's payload into `dir` (rpm2cpio, then cpio), keeping modes and mtimes. The
 * archive is written to a file and checked entry by entry first (unsafeCpioEntry); the same
 * bytes are then unpacked, so what cpio reads is what was checked.
 */
export async function unpackRpm(rpm: string, dir: string): Promise<CpioEntry[]> {
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
