import { copyFile, link, readdir, realpath, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Finding } from '../findings/finding.js';
import { recordOutputFiles } from '../compose/output-marker.js';
import { isFile } from '../fs/path-kind.js';
import { fetchSource, sourceOrigin } from '../sources/fetch-source.js';
import { SpecBoundary, checkSourceFileName } from '../boundary/index.js';

/** One source a spec names by URL: verified by its digest, or by a digest published beside it. */
export interface UrlSource {
  url: string;
  sha256?: string;
  /** The file name the spec's SourceN line gives, when not the URL's last part. */
  fileName?: string;
  /** The digest as published (kernel.org's checksum list), asked only when the variant gives none. */
  published?: () => Promise<string>;
  where: Finding['where'];
  /** The base kernel tarball (the one the checks run against). */
  base?: boolean;
  /** The variant key that declares it, for hints (`base.source`, `kmod.source`). */
  key?: string;
}

/** An E_SOURCE_* finding of a fetch, placed at the variant line that declares the source, its hint naming the key. */
async function fetchLocated(w: UrlSource, fetch: () => Promise<string>): Promise<string> {
  try {
    return await fetch();
  } catch (err) {
    if (!(err instanceof UsageError) || !err.findings.length) throw err;
    const key = w.key ?? 'base.source';
    const findings = err.findings.map((f) =>
      f.code.startsWith('E_SOURCE_') && !f.where && w.where
        ? {
            ...f,
            where: w.where,
            ...(f.code === 'E_SOURCE_CHECKSUM'
              ? {
                  hint: `the download was corrupted or the file changed since ${key}.sha256 was written (a system file such as /usr/src/linux-source-*.tar.xz changes with every distribution update): check ${key}.sha256, or name a file that does not change`,
                }
              : {}),
          }
        : f,
    );
    throw new UsageError(err.message, findings, err.exitCode);
  }
}

/** A source file ready to be placed next to the spec: verified, in the cache or given locally. */
export interface CollectedSource {
  file: string;
  from: string;
  /** Where the variant says the file comes from (its URL). */
  url: string;
  /**
   * Where these bytes really came from: the URL (or local path) of the download that put them in
   * the source cache, or the local file given with --sources-dir. Not the variant's word.
   */
  origin: string;
  /** The base kernel tarball (the one the checks run against). */
  base: boolean;
}

const KERNEL_ORG_HOSTS = new Set(['cdn.kernel.org', 'www.kernel.org', 'mirrors.edge.kernel.org']);
/** A release tarball in kernel.org's version folders (`people/` uploads are anyone's). */
const KERNEL_ORG_RELEASE = /^\/pub\/linux\/kernel\/v\d+\.x\/(?:testing\/)?linux-\d+(?:\.\d+)*(?:-rc\d+)?\.tar\.(?:xz|gz|bz2|zst)$/;

/**
 * Whether kplay may run a tarball's Kconfig macros (`$(shell,...)`, the compiler probes) on this
 * machine: only for bytes downloaded from kernel.org's release folders. A variant (from a pull
 * request) can name any URL with a matching digest, and those macros are shell commands.
 */
export function isTrustedKernelOrigin(url: string): boolean {
  if (url.includes('%') || url.includes('\\')) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (
    u.protocol === 'https:' &&
    !u.username &&
    !u.password &&
    !u.port &&
    !u.search &&
    !u.hash &&
    KERNEL_ORG_HOSTS.has(u.hostname) &&
    KERNEL_ORG_RELEASE.test(u.pathname)
  );
}

/**
 * Find every URL source: a file of the same name in sourcesDir (verified when a digest is known),
 * else downloaded through the cache and verified. kplay downloads only what it can verify.
 */
export async function collectUrlSources(wanted: UrlSource[], sourcesDir: string | undefined): Promise<CollectedSource[]> {
  const collected: CollectedSource[] = [];
  for (const w of wanted) {
    // the same name the spec's SourceN line gives (the rendering boundary), checked before any fs call
    const boundary = new SpecBoundary();
    const file = boundary.sourceFileName(w.url, w.fileName, w.where);
    if (boundary.findings.length) throw new UsageError(`unsafe source name for ${w.url}`, boundary.findings);
    const local = sourcesDir ? path.join(sourcesDir, file) : undefined;
    if (local && (await isFile(local))) {
      // a local file is verified when the variant gives a digest, by fetching it through the cache
      const from = w.sha256
        ? await fetchLocated(w, () => fetchSource({ url: path.resolve(local), sha256: w.sha256!, fileName: file }))
        : local;
      // a cache entry says where its bytes came from; a file outside the cache is only itself
      const origin = w.sha256 ? ((await sourceOrigin(from)) ?? path.resolve(local)) : path.resolve(local);
      collected.push({ file, from, url: w.url, origin, base: Boolean(w.base) });
      continue;
    }
    if (!w.sha256 && w.published) {
      try {
        w.sha256 = await w.published();
      } catch (err) {
        throw new UsageError(`cannot verify ${file}`, [
          {
            code: 'E_SOURCE_UNVERIFIED',
            severity: 'error',
            message: `the variant gives no sha256 for ${file}, and kernel.org's checksum list could not be read: ${(err as Error).message}`,
            ...(w.where ? { where: w.where } : {}),
            hint: `add ${w.key ?? 'base.source'}.sha256 to the variant, or download ${file} yourself and pass --sources-dir DIR`,
          },
        ]);
      }
    }
    if (!w.sha256) {
      throw new UsageError(`${file} is needed and the variant gives no sha256 for ${w.url}`, [
        {
          code: 'E_SOURCE_UNVERIFIED',
          severity: 'error',
          message: `kplay downloads only what it can verify, and ${w.url} has no sha256`,
          ...(w.where ? { where: w.where } : {}),
          hint: `add ${w.key ?? 'base.source'}.sha256 to the variant, or download ${file} yourself and pass --sources-dir DIR`,
        },
      ]);
    }
    const sha = w.sha256;
    const from = await fetchLocated(w, () => fetchSource({ url: w.url, sha256: sha, fileName: file }));
    collected.push({ file, from, url: w.url, origin: (await sourceOrigin(from)) ?? '', base: Boolean(w.base) });
  }
  return collected;
}

/**
 * Put a cached or local file into the output folder without copying 140 MB when a link will do.
 * `to` is always a plain name inside `outDir` (checked by the rendering boundary before any
 * file-system call); a source that already is that file is left alone.
 */
export async function placeSource(from: string, outDir: string, name: string): Promise<void> {
  checkSourceFileName(name);
  const to = path.join(outDir, name);
  if (path.dirname(to) !== path.resolve(outDir)) throw new Error(`internal: source ${name} leaves ${outDir}`);
  const realFrom = await realpath(from).catch(() => path.resolve(from));
  if (realFrom === path.resolve(to) || realFrom === (await realpath(to).catch(() => ''))) return;
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    try {
      await symlink(path.resolve(from), to);
    } catch {
      await copyFile(from, to);
    }
  }
}

/** The kernel tarball among an overlay output's lookaside sources. */
export async function distributionTarball(outDir: string): Promise<string | undefined> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  const name = names.find((n) => /^linux-.*\.tar\.(xz|gz|bz2)$/.test(n));
  return name ? path.join(outDir, name) : undefined;
}

/** Put collected sources next to the spec, and record them as files kplay wrote. */
export async function placeCollectedSources(sources: readonly CollectedSource[], outDir: string): Promise<void> {
  for (const s of sources) await placeSource(s.from, outDir, s.file);
  await recordOutputFiles(
    outDir,
    sources.map((s) => s.file),
  );
}
