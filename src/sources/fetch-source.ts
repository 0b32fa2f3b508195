import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { cleanupOnSignal, processAlive } from '../fs/cleanup-on-signal.js';
import { checkSourceFileName, type RenderRefusal } from '../boundary/index.js';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../findings/finding.js';
import { isFile } from '../fs/path-kind.js';
import { cachedSourcePath, defaultSourceCacheDir, sourceCacheScratchDir, sourceDigestOf, type SourceDigest } from './source-cache.js';

export interface FetchSourceOptions {
  /** `https://…`, `http://…`, `file://…` or a local path. */
  url: string;
  sha256?: string;
  sha512?: string;
  /** Defaults to the user's cache folder (see defaultSourceCacheDir). */
  cacheDir?: string;
  /** Name of the cached file; defaults to the last path segment of the URL. */
  fileName?: string;
  /** Network timeouts in ms (tests shorten them). */
  timeoutMs?: number;
  /** The expected size in bytes, when known: a longer (or shorter) download fails. */
  size?: number;
  /** Largest download accepted when the size is not known (default KPLAY_MAX_DOWNLOAD_BYTES, else 4 GiB). */
  maxBytes?: number;
}

/** Default cap for a download of unknown size: a kernel tarball is ~150 MB, a distribution's lookaside ~250 MB. */
export function defaultMaxDownloadBytes(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.KPLAY_MAX_DOWNLOAD_BYTES);
  return Number.isFinite(v) && v > 0 ? v : 4 * 1024 ** 3;
}

/** Scratch folders of fetches whose process is gone (killed with -9) are removed by the next fetch. */
async function removeStaleScratch(scratchRoot: string): Promise<void> {
  for (const name of await readdir(scratchRoot).catch(() => [] as string[])) {
    const m = /^fetch-(\d+)-/.exec(name);
    if (m && !processAlive(Number(m[1]))) await rm(path.join(scratchRoot, name), { recursive: true, force: true });
  }
}

/**
 * Fetch a source file (a kernel tarball, a patch) into the cache, verify its digest and return the
 * cached path. A file already cached under the digest is returned without any network access.
 * Downloads stream to a scratch file that is renamed into the cache only once its digest matched,
 * so the cache never holds an unverified or partial file.
 */
const ORIGIN_SUFFIX = '.origin';

/**
 * Where a cached source's bytes were downloaded from (the URL or local path of the fetch that put
 * them in the cache), or undefined for a file that is not a cache entry with a record. A cache hit
 * for another URL with the same digest does not vouch for that URL: only this does.
 */
export async function sourceOrigin(cachedPath: string): Promise<string | undefined> {
  try {
    return await readFile(`${cachedPath}${ORIGIN_SUFFIX}`, 'utf8');
  } catch {
    return undefined;
  }
}

export async function fetchSource(opts: FetchSourceOptions): Promise<string> {
  const digest = sourceDigestOf(opts);
  if (!digest) {
    throw new UsageError(`${opts.url}: a source needs a sha256 (64 hex digits) or sha512 (128 hex digits) checksum`);
  }
  const fileName = opts.fileName ?? fileNameOf(opts.url);
  try {
    checkSourceFileName(fileName ?? '', 'source file name');
  } catch (err) {
    const r = err as RenderRefusal;
    throw new UsageError(`${opts.url}: ${r.message}`, [
      { code: r.code, severity: 'error', message: `${opts.url}: ${r.message}`, ...(r.hint ? { hint: r.hint } : {}) },
    ]);
  }
  const cacheDir = path.resolve(opts.cacheDir ?? defaultSourceCacheDir());
  const target = cachedSourcePath(cacheDir, digest, fileName!);
  if (await isFile(target)) return target;

  const scratchRoot = sourceCacheScratchDir(cacheDir);
  await mkdir(scratchRoot, { recursive: true });
  await removeStaleScratch(scratchRoot);
  const scratch = await mkdtemp(path.join(scratchRoot, `fetch-${process.pid}-`));
  // SIGINT/SIGTERM during the download: the partial file goes with the scratch folder
  const unregister = cleanupOnSignal(() => rmSync(scratch, { recursive: true, force: true }));
  const limit = opts.size ?? opts.maxBytes ?? defaultMaxDownloadBytes();
  try {
    const partial = path.join(scratch, fileName!);
    let received = 0;
    const capped = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > limit) done(tooLarge(opts.url, limit, opts.size !== undefined));
        else done(null, chunk);
      },
    });
    const hash = createHash(digest.algorithm);
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // got is loaded for downloads only: its import costs every other command ~100 ms
    const http = isRemote(opts.url) ? await import('got') : undefined;
    await pipeline(openSource(opts.url, opts.timeoutMs, http), capped, hashing, createWriteStream(partial)).catch((err: unknown) => {
      throw err instanceof UsageError ? err : fetchFailure(opts.url, err, http);
    });
    if (opts.size !== undefined && received !== opts.size) throw tooLarge(opts.url, opts.size, true, received);
    const actual = hash.digest('hex');
    if (actual !== digest.hex) throw checksumMismatch(opts.url, digest, actual);
    await mkdir(path.dirname(target), { recursive: true });
    // where these bytes came from, first (a later hit with another URL does not change it)
    await writeFile(`${target}${ORIGIN_SUFFIX}`, opts.url);
    await rename(partial, target);
    return target;
  } finally {
    unregister();
    await rm(scratch, { recursive: true, force: true });
    await rmdir(scratchRoot).catch(() => undefined); // only when no other fetch is using it
  }
}

/** The URL's last path segment, never percent-decoded (a decoded `%2F` would be a `/`); undefined when the URL is malformed. */
function fileNameOf(url: string): string | undefined {
  try {
    const pathname = isRemote(url) || url.startsWith('file:') ? new URL(url).pathname : url;
    return path.posix.basename(pathname);
  } catch {
    return undefined;
  }
}

function tooLarge(url: string, limit: number, expected: boolean, got?: number): UsageError {
  const message = !expected
    ? `${url}: the download exceeds ${limit} bytes (KPLAY_MAX_DOWNLOAD_BYTES); it was stopped and nothing was cached`
    : got !== undefined && got < limit
      ? `${url}: the download ended after ${got} of the expected ${limit} bytes; nothing was cached`
      : `${url}: the download is longer than the expected ${limit} bytes; it was stopped and nothing was cached`;
  return new UsageError(message, [
    {
      code: 'E_SOURCE_SIZE',
      severity: 'error',
      message,
      hint: expected
        ? 'the server sends something else than the declared file'
        : 'raise KPLAY_MAX_DOWNLOAD_BYTES if the file really is that large',
    },
  ]);
}

function isRemote(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

type Got = typeof import('got');

function openSource(url: string, timeoutMs = 60_000, http?: Got): Readable {
  if (isRemote(url) && http) {
    return http.default.stream(url, {
      timeout: { lookup: timeoutMs, connect: timeoutMs, response: timeoutMs, socket: timeoutMs },
      retry: { limit: 2, methods: ['GET'] },
      headers: { 'user-agent': 'kplay' },
    });
  }
  const file = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(url);
  return createReadStream(file);
}

function fetchFailure(url: string, err: unknown, http?: Got): UsageError {
  if (http && err instanceof http.HTTPError) {
    return new UsageError(`${url}: download failed: HTTP ${err.response.statusCode} ${err.response.statusMessage ?? ''}`.trimEnd());
  }
  if (http && err instanceof http.RequestError) return new UsageError(`${url}: download failed: ${err.code ?? ''} ${err.message}`);
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new UsageError(`${url}: no such file`);
  return new UsageError(`${url}: cannot read the source: ${e?.message ?? String(err)}`);
}

function checksumMismatch(url: string, digest: SourceDigest, actual: string): UsageError {
  const message = `${url}: ${digest.algorithm} checksum mismatch: expected ${digest.hex}, got ${actual}; the file was not cached`;
  return new UsageError(message, [
    {
      code: 'E_SOURCE_CHECKSUM',
      severity: 'error',
      message,
      hint: 'the download was corrupted or the upstream file changed; check the checksum in the base declaration',
    },
  ]);
}
