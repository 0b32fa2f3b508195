import type { ResultPromise } from 'execa';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { TarEntryParser } from './tar-entry-parser.js';
import { UsageError } from '../findings/finding.js';
import { byteProgress } from '../progress/byte-progress.js';
import path from 'node:path';

/** The decompressor for a tarball, chosen by its name. */
export function decompressorFor(tarball: string): string[] | undefined {
  if (/\.tar\.xz$|\.txz$/.test(tarball)) return ['xz', '-dc', '-T0'];
  if (/\.tar\.gz$|\.tgz$/.test(tarball)) return ['gzip', '-dc'];
  if (/\.tar\.bz2$/.test(tarball)) return ['bzip2', '-dc'];
  if (/\.tar\.zst$/.test(tarball)) return ['zstd', '-dc'];
  if (/\.tar$/.test(tarball)) return undefined;
  throw new UsageError(`${tarball}: not a tarball kplay can read (.tar, .tar.xz, .tar.gz, .tar.bz2, .tar.zst)`);
}

/** Strip the tarball's top folder (`linux-6.1.12/`) from an entry name. */
export function stripTopFolder(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? '' : name.slice(slash + 1);
}

/**
 * Stream a (compressed) tarball once and keep the regular files `wanted` selects.
 * Decompression runs in an external process (xz/gzip) so it uses its own core; the tar stream is
 * parsed in place by the push parser of tar-entry-parser.ts (chosen over the npm tar-stream
 * extractor: 0.47x its wall time and 0.58x its CPU on the 6.12 tarball, bench/tar-readers.bench.mjs).
 */
export async function readTarballEntries(tarball: string, wanted: (relPath: string) => boolean): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const decompressor = decompressorFor(tarball);
  let input: Readable;
  let child: ResultPromise | undefined;
  if (decompressor) {
    const [cmd, ...args] = decompressor as [string, ...string[]];
    // imported here: execa is ~130 modules, and warm commands that never extract a tarball import this file
    const { execa } = await import('execa');
    child = execa(cmd, [...args, tarball], { stdout: 'pipe', stderr: 'pipe', buffer: { stdout: false } });
    input = child.stdout as Readable;
  } else {
    input = createReadStream(tarball, { highWaterMark: 1 << 20 });
  }
  const parser = new TarEntryParser(
    (name) => {
      const rel = stripTopFolder(name);
      return rel !== '' && wanted(rel);
    },
    (entry) => files.set(stripTopFolder(entry.name), entry.data),
  );
  const progress = byteProgress(`decompressing ${path.basename(tarball)}`);
  const done = new Promise<void>((resolve, reject) => {
    input.on('data', (chunk: Buffer) => {
      progress.add(chunk.length);
      try {
        parser.push(chunk);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    input.on('end', () => resolve());
    input.on('error', reject);
  });
  try {
    await Promise.all([done, child]);
    parser.end();
    progress.done();
  } catch (err) {
    child?.kill();
    progress.fail();
    throw new UsageError(`${tarball}: cannot read tarball: ${(err as Error).message.split('\n')[0]}`);
  }
  return files;
}
