import { createHmac } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';
import { inspectPeImage, isPeImage, signPeImage } from './pe-image.js';

/**
 * Kernel images as the distributions ship them: x86_64 `bzImage` is a PE/COFF file itself; the
 * arm64 (and riscv64) `Image` is a PE with the EFI stub, shipped gzipped as `Image.gz`, so Fedora
 * and RHEL sign the uncompressed `Image` and gzip it afterwards. kplay does the same: a gzipped
 * image is decompressed, signed (an earlier signature removed first) and compressed again.
 */
export type ImageForm = 'pe' | 'gzip-pe' | 'not-pe';

/** The largest decompressed image kplay accepts (arm64 `Image` is 30-70 MiB). */
export const MAX_IMAGE_BYTES = 512 * 1024 * 1024;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

function looksGzipped(head: Buffer): boolean {
  return head.length >= 2 && head.subarray(0, 2).equals(GZIP_MAGIC);
}

/** Decompress a gzipped image in memory, refusing one that grows beyond MAX_IMAGE_BYTES. */
export function gunzipImage(data: Buffer, what: string): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: MAX_IMAGE_BYTES });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new UsageError(`${what}: decompresses to more than ${MAX_IMAGE_BYTES / 1024 / 1024} MiB; not a kernel image`);
    throw new UsageError(`${what}: not a valid gzip file (${(err as Error).message})`);
  }
}

/** A PE image in memory ("MZ", then "PE\0\0" at the offset stored at 0x3c). */
export function isPeBuffer(data: Buffer): boolean {
  if (data.length < 64 || data.toString('latin1', 0, 2) !== 'MZ') return false;
  const peAt = data.readUInt32LE(0x3c);
  return peAt + 4 <= data.length && data.toString('latin1', peAt, peAt + 4) === 'PE\0\0';
}

/** Whether `file` is a PE image, a gzipped PE image (arm64 `Image.gz`), or neither. */
export async function imageForm(file: string, what = file): Promise<ImageForm> {
  if (await isPeImage(file)) return 'pe';
  const data = await readFile(file);
  if (!looksGzipped(data)) return 'not-pe';
  return isPeBuffer(gunzipImage(data, what)) ? 'gzip-pe' : 'not-pe';
}

async function sbattach(args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await execa('sbattach', args, { all: true, reject: false });
    return { ok: r.exitCode === 0, out: String(r.all ?? '') };
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT')
      throw new UsageError('sbattach is not installed (Debian package sbsigntool; Fedora sbsigntools)');
    throw err;
  }
}

/**
 * Remove every Authenticode signature of a PE file (`sbattach --remove`, one signature a call),
 * so the new signature replaces them: `sbsign` alone appends, and the old key would still verify.
 * Returns the subjects removed.
 */
export async function removePeSignatures(file: string, what = file): Promise<string[]> {
  const removed: string[] = [];
  // a PE certificate table holds a handful of signatures; a bound keeps a hostile file finite
  for (let i = 0; i < 32; i++) {
    const { signatures } = await inspectPeImage(file);
    if (!signatures.length) return removed;
    const r = await sbattach(['--remove', file]);
    if (!r.ok) throw new UsageError(`${what}: sbattach --remove failed: ${r.out.trim().split('\n').pop() ?? ''}`);
    const left = (await inspectPeImage(file)).signatures;
    if (left.length >= signatures.length) throw new UsageError(`${what}: sbattach --remove did not remove a signature`);
    removed.push(...signatures.map((s) => s.subject).filter((s) => !left.some((l) => l.subject === s)));
  }
  throw new UsageError(`${what}: more than 32 signatures; refusing to re-sign it`);
}

export interface ImageSigning {
  form: Exclude<ImageForm, 'not-pe'>;
  /** Subjects of the signatures the image carried before (replaced, not kept). */
  replaced: string[];
}

/**
 * Sign a kernel image in place: a PE directly, a gzipped PE decompressed first and gzipped again
 * (gzip -9, no name or time stamp, as the kernel's `Image.gz` rule). An earlier signature is
 * removed, never kept beside the new one.
 */
export async function signKernelImage(file: string, key: { key: string; cert: string }, what = file): Promise<ImageSigning> {
  const form = await imageForm(file, what);
  if (form === 'not-pe') throw new UsageError(`${what}: not a PE/COFF image, plain or gzipped`);
  if (form === 'pe') {
    const replaced = await removePeSignatures(file, what);
    await signPeImage(file, key, what);
    return { form, replaced };
  }
  const plain = `${file}.kplay-plain`;
  try {
    await writeFile(plain, gunzipImage(await readFile(file), what), { mode: 0o600 });
    const replaced = await removePeSignatures(plain, what);
    await signPeImage(plain, key, what);
    await writeFile(file, gzipSync(await readFile(plain), { level: 9 }));
    return { form, replaced };
  } finally {
    await rm(plain, { force: true });
  }
}

/** An image's signatures, after decompressing a gzipped one. */
export async function inspectKernelImage(
  file: string,
  cert: string | undefined,
  what = file,
): Promise<{ form: ImageForm; signatures: Array<{ subject: string; issuer: string }>; validWith?: boolean }> {
  const form = await imageForm(file, what);
  if (form === 'not-pe') return { form, signatures: [] };
  if (form === 'pe') return { form, ...(await inspectPeImage(file, cert)) };
  const plain = `${file}.kplay-plain`;
  try {
    await writeFile(plain, gunzipImage(await readFile(file), what), { mode: 0o600 });
    return { form, ...(await inspectPeImage(plain, cert)) };
  } finally {
    await rm(plain, { force: true });
  }
}

/**
 * The FIPS `.hmac` of a kernel image: `sha512hmac` output, "<128 hex digits>  <file name>", made
 * with one of the two fixed keys the distributions' tools use (libkcapi's `sha512hmac` uses the
 * fipscheck key by default, `-k`-less hmaccalc its own). Which key made an existing file is found
 * by checking it against the unsigned image; the new hmac uses the same key and keeps the name.
 */
const HMAC_KEYS = ['orboDeJITITejsirpADONivirpUkvarP', 'FIPS-FTW-RHT2009'] as const;

function hmacHex(key: string, data: Buffer): string {
  return createHmac('sha512', key).update(data).digest('hex');
}

/**
 * The hmac file's text for `after`, when `text` is a sha512hmac line that matched `before`; undefined
 * when it did not (made for other bytes, another key or another format: kplay cannot tell how to redo it).
 */
export function recomputeHmac(text: string, before: Buffer, after: Buffer): string | undefined {
  const m = /^([0-9a-f]{128})( {2}|\s\*?)(\S[^\n]*)\n?$/.exec(text);
  if (!m) return undefined;
  const key = HMAC_KEYS.find((k) => hmacHex(k, before) === m[1]);
  if (!key) return undefined;
  return `${hmacHex(key, after)}${m[2]}${m[3]}${text.endsWith('\n') ? '\n' : ''}`;
}
