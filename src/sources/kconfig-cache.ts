import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { decompressorFor, stripTopFolder } from './tarball-entries.js';

/**
 * Files of a kernel tree that configuring needs: every Kconfig file, the defconfigs, the top
 * Makefile (version), and the helper scripts Kconfig macros run (scripts/*, arch/x/tools/*).
 */
export function isKconfigRelevant(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (base.startsWith('Kconfig')) return true;
  if (rel === 'Makefile') return true;
  if (/^arch\/[^/]+\/configs\/[^/]+$/.test(rel)) return true;
  if (/^scripts\/[^/]+$/.test(rel)) return true;
  if (/^arch\/[^/]+\/tools\/[^/]+$/.test(rel)) return true;
  return false;
}

interface DigestIndex {
  [fileKey: string]: string;
}

async function readIndex(file: string): Promise<DigestIndex> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DigestIndex;
  } catch {
    return {};
  }
}

/**
 * The Kconfig-relevant subset of a source tarball, extracted once into
 * `<cacheDir>/kconfig-trees/<sha256>/` and reused: the tarball is streamed a single time (hashing
 * the compressed bytes while decompressing), later calls only stat it.
 * Returns the folder holding the subset.
 */
export async function extractKconfigSubset(tarball: string, cacheDir: string): Promise<string> {
  const trees = path.join(cacheDir, 'kconfig-trees');
  const indexFile = path.join(trees, 'index.json');
  const st = await stat(tarball);
  const fileKey = `${await realpath(tarball)}|${st.size}|${st.mtimeMs}`;
  const index = await readIndex(indexFile);
  const known = index[fileKey];
  if (known && existsSync(path.join(trees, known, '.complete'))) return path.join(trees, known);

  await mkdir(trees, { recursive: true });
  const partial = path.join(trees, `partial-${process.pid}-${Date.now()}`);
  await mkdir(partial, { recursive: true });
  let digest: string;
  try {
    digest = await streamSubset(tarball, partial);
    await writeFile(path.join(partial, '.complete'), `${tarball}\n`);
    const target = path.join(trees, digest);
    if (existsSync(path.join(target, '.complete'))) await rm(partial, { recursive: true, force: true });
    else {
      await rm(target, { recursive: true, force: true });
      await rename(partial, target);
    }
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
  const fresh = await readIndex(indexFile);
  fresh[fileKey] = digest;
  const tmp = `${indexFile}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(fresh, null, 1));
  await rename(tmp, indexFile);
  return path.join(trees, digest);
}

async function streamSubset(tarball: string, into: string): Promise<string> {
  const hash = createHash('sha256');
  const decompressor = decompressorFor(tarball);
  const file = createReadStream(tarball, { highWaterMark: 1 << 20 });
  file.on('data', (chunk) => hash.update(chunk as Buffer));
  let input: Readable;
  let child: ReturnType<typeof execa> | undefined;
  if (decompressor) {
    const [cmd, ...rest] = decompressor as [string, ...string[]];
    const args = rest.filter((a) => a !== tarball);
    child = execa(cmd, args, { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: { stdout: false } });
    file.pipe(child.stdin!);
    input = child.stdout as Readable;
  } else input = file;

  const extract = tar.extract();
  const writes: Promise<void>[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const rel = stripTopFolder(header.name);
      if (header.type === 'file' && rel && !rel.includes('..') && isKconfigRelevant(rel)) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          const dest = path.join(into, rel);
          writes.push(
            mkdir(path.dirname(dest), { recursive: true })
              .then(() => writeFile(dest, Buffer.concat(chunks)))
              .then(() => chmod(dest, (header.mode ?? 0o644) & 0o777)),
          );
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
    await Promise.all(writes);
  } catch (err) {
    child?.kill();
    throw new Error(`${tarball}: cannot read tarball: ${(err as Error).message.split('\n')[0]}`);
  }
  return hash.digest('hex');
}
