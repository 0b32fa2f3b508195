import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Finding } from '../../findings/finding.js';
import { lookasideUrl, type LookasideEntry } from './sources-file.js';
import { fetchSource, sourceOrigin } from '../../sources/fetch-source.js';
import { isFile } from '../../fs/path-kind.js';

/** Downloads one lookaside file and returns its local path (verified, cached). */
export type LookasideFetcher = (request: {
  url: string;
  file: string;
  algorithm: LookasideEntry['algorithm'];
  digest: string;
}) => Promise<string>;

/** The default: got through the digest-checked source cache (src/sources/fetch-source.ts). */
export const fetchLookaside: LookasideFetcher = (r) =>
  fetchSource({ url: r.url, [r.algorithm === 'sha512' ? 'sha512' : 'sha256']: r.digest, fileName: r.file });

async function digestOf(file: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Put every file of the `sources` list into `targetDir` (the folder rpmbuild reads Sources from):
 * from `sourcesDir` when it holds the file, else through `fetch`. Every file is checked against
 * its digest; a mismatch is E_OVERLAY_SOURCE_DIGEST and the file is not copied.
 */
export async function gatherLookasideSources(args: {
  entries: readonly LookasideEntry[];
  targetDir: string;
  lookasideBase: string;
  pkg: string;
  sourcesDir?: string;
  fetch?: LookasideFetcher;
  sourcesFile: string;
}): Promise<{ placed: string[]; findings: Finding[]; origins: Map<string, string> }> {
  const findings: Finding[] = [];
  const placed: string[] = [];
  /** Where each placed file's bytes came from: the download that filled the cache, or the local file. */
  const origins = new Map<string, string>();
  for (const e of args.entries) {
    const local = args.sourcesDir ? path.join(args.sourcesDir, e.file) : undefined;
    const isLocal = Boolean(local && (await isFile(local)));
    const from = isLocal
      ? local!
      : await (args.fetch ?? fetchLookaside)({
          url: lookasideUrl(args.lookasideBase, args.pkg, e),
          file: e.file,
          algorithm: e.algorithm,
          digest: e.digest,
        });
    const actual = await digestOf(from, e.algorithm);
    if (actual !== e.digest) {
      findings.push({
        code: 'E_OVERLAY_SOURCE_DIGEST',
        severity: 'error',
        message: `${from} does not match the ${e.algorithm} of ${e.file} in the sources file`,
        where: { file: args.sourcesFile, line: e.line, col: 1 },
        hint: 'the file belongs to another release of the package',
      });
      continue;
    }
    const target = path.join(args.targetDir, e.file);
    if (path.resolve(from) !== path.resolve(target)) await copyFile(from, target);
    placed.push(e.file);
    origins.set(e.file, isLocal ? path.resolve(from) : ((await sourceOrigin(from)) ?? path.resolve(from)));
  }
  return { placed, findings, origins };
}
