import { execa } from 'execa';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { UsageError } from '../findings/finding.js';

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
 * Decompression runs in an external process (xz/gzip) so it uses its own core.
 */
export async function readTarballEntries(
  tarball: string,
  wanted: (relPath: string) => boolean,
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const decompressor = decompressorFor(tarball);
  const extract = tar.extract();
  let input: Readable;
  let child: ReturnType<typeof execa> | undefined;
  if (decompressor) {
    const [cmd, ...args] = decompressor as [string, ...string[]];
    child = execa(cmd, [...args, tarball], { stdout: 'pipe', stderr: 'pipe', buffer: { stdout: false } });
    input = child.stdout as Readable;
  } else {
    input = createReadStream(tarball);
  }
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const rel = stripTopFolder(header.name);
      if (header.type === 'file' && rel && wanted(rel)) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          files.set(rel, Buffer.concat(chunks));
          next();
        });
        stream.on('error', reject);
      } else {
        stream.on('end', () => next());
        stream.resume();
      }
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  input.pipe(extract);
  try {
    await Promise.all([done, child]);
  } catch (err) {
    child?.kill();
    throw new UsageError(`${tarball}: cannot read tarball: ${(err as Error).message.split('\n')[0]}`);
  }
  return files;
}
