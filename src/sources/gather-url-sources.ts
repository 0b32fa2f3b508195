import { copyFile, link, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Finding } from '../findings/finding.js';
import { isFile } from '../fs/path-kind.js';
import { fetchSource } from './fetch-source.js';

/** One source a spec names by URL: verified by its digest, or by a digest published beside it. */
export interface UrlSource {
  url: string;
  sha256?: string;
  /** The digest as published (kernel.org's checksum list), asked only when the variant gives none. */
  published?: () => Promise<string>;
  where: Finding['where'];
}

/** Put a cached or local file into the output folder without copying 140 MB when a link will do. */
export async function placeSource(from: string, to: string): Promise<void> {
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

/**
 * Put every URL source into outDir: a file of the same name in sourcesDir (verified when a digest
 * is known), else downloaded through the cache and verified. kplay downloads only what it can verify.
 */
export async function gatherUrlSources(wanted: UrlSource[], outDir: string, sourcesDir: string | undefined): Promise<void> {
  for (const w of wanted) {
    const file = decodeURIComponent(new URL(w.url).pathname.split('/').pop() ?? '');
    const local = sourcesDir ? path.join(sourcesDir, file) : undefined;
    if (local && (await isFile(local))) {
      // a local file is verified when the variant gives a digest, by fetching it through the cache
      const from = w.sha256 ? await fetchSource({ url: path.resolve(local), sha256: w.sha256, fileName: file }) : local;
      await placeSource(from, path.join(outDir, file));
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
            hint: `add base.source.sha256 to the variant, or download ${file} yourself and pass --sources-dir DIR`,
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
          hint: `add base.source.sha256 to the variant, or download ${file} yourself and pass --sources-dir DIR`,
        },
      ]);
    }
    await placeSource(await fetchSource({ url: w.url, sha256: w.sha256, fileName: file }), path.join(outDir, file));
  }
}

