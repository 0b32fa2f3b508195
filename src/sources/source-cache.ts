import os from 'node:os';
import path from 'node:path';

/** A content digest that names a cached source: the algorithm and its lowercase hex value. */
export interface SourceDigest {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

const HEX_LENGTH: Record<SourceDigest['algorithm'], number> = { sha256: 64, sha512: 128 };

/**
 * The user's cache folder for downloaded sources: `$KPLAY_CACHE_DIR/sources`, else
 * `$XDG_CACHE_HOME/kplay/sources`, else `~/.cache/kplay/sources`.
 */
export function defaultSourceCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KPLAY_CACHE_DIR) return path.join(env.KPLAY_CACHE_DIR, 'sources');
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kplay', 'sources');
}

/** The digest from `{sha256}` or `{sha512}`, validated; undefined when the value is malformed. */
export function sourceDigestOf(input: { sha256?: string; sha512?: string }): SourceDigest | undefined {
  const algorithm = input.sha512 !== undefined ? 'sha512' : input.sha256 !== undefined ? 'sha256' : undefined;
  if (!algorithm) return undefined;
  const hex = String(input[algorithm]).trim().toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${HEX_LENGTH[algorithm]}}$`).test(hex)) return undefined;
  return { algorithm, hex };
}

/**
 * Where a verified file lives in the cache: one folder per digest, keeping the original file name
 * (rpmbuild finds Source files by name): `<cache>/sha256/<hex>/linux-6.12.tar.xz`.
 */
export function cachedSourcePath(cacheDir: string, digest: SourceDigest, fileName: string): string {
  return path.join(cacheDir, digest.algorithm, digest.hex, fileName);
}

/** Scratch folder for downloads in progress: inside the cache, so the final rename stays on one file system. */
export function sourceCacheScratchDir(cacheDir: string): string {
  return path.join(cacheDir, 'tmp');
}
