import got, { HTTPError, RequestError } from 'got';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../findings/finding.js';
import { isFile } from '../fs/path-kind.js';
import {
  cachedSourcePath,
  defaultSourceCacheDir,
  sourceCacheScratchDir,
  sourceDigestOf,
  type SourceDigest,
} from './source-cache.js';

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
}

/**
 * Fetch a source file (a kernel tarball, a patch) into the cache, verify its digest and return the
 * cached path. A file already cached under the digest is returned without any network access.
 * Downloads stream to a scratch file that is renamed into the cache only once its digest matched,
 * so the cache never holds an unverified or partial file.
 */
export async function fetchSource(opts: FetchSourceOptions): Promise<string> {
  const digest = sourceDigestOf(opts);
  if (!digest) {
    throw new UsageError(`${opts.url}: a source needs a sha256 (64 hex digits) or sha512 (128 hex digits) checksum`);
  }
  const fileName = opts.fileName ?? fileNameOf(opts.url);
  if (!fileName || fileName.includes('/') || fileName === '.' || fileName === '..') {
    throw new UsageError(`${opts.url}: cannot tell the source's file name; give fileName`);
  }
  const cacheDir = path.resolve(opts.cacheDir ?? defaultSourceCacheDir());
  const target = cachedSourcePath(cacheDir, digest, fileName);
  if (await isFile(target)) return target;

  const scratchRoot = sourceCacheScratchDir(cacheDir);
  await mkdir(scratchRoot, { recursive: true });
  const scratch = await mkdtemp(path.join(scratchRoot, 'fetch-'));
  try {
    const partial = path.join(scratch, fileName);
    const hash = createHash(digest.algorithm);
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(openSource(opts.url, opts.timeoutMs), hashing, createWriteStream(partial)).catch((err: unknown) => {
      throw fetchFailure(opts.url, err);
    });
    const actual = hash.digest('hex');
    if (actual !== digest.hex) throw checksumMismatch(opts.url, digest, actual);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(partial, target);
    return target;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rmdir(scratchRoot).catch(() => undefined); // only when no other fetch is using it
  }
}

function fileNameOf(url: string): string {
  const pathname = isRemote(url) || url.startsWith('file:') ? new URL(url).pathname : url;
  return decodeURIComponent(path.posix.basename(pathname));
}

function isRemote(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function openSource(url: string, timeoutMs = 60_000): Readable {
  if (isRemote(url)) {
    return got.stream(url, {
      timeout: { lookup: timeoutMs, connect: timeoutMs, response: timeoutMs, socket: timeoutMs },
      retry: { limit: 2, methods: ['GET'] },
      headers: { 'user-agent': 'kplay' },
    });
  }
  const file = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(url);
  return createReadStream(file);
}

function fetchFailure(url: string, err: unknown): UsageError {
  if (err instanceof HTTPError) {
    return new UsageError(
      `${url}: download failed: HTTP ${err.response.statusCode} ${err.response.statusMessage ?? ''}`.trimEnd(),
    );
  }
  if (err instanceof RequestError) return new UsageError(`${url}: download failed: ${err.code ?? ''} ${err.message}`);
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

