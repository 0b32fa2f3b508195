import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { TarEntryParser } from './tar-entry-parser.js';
import { UsageError } from '../findings/finding.js';

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

/**
 * Stream the tarball once: the compressed bytes are hashed as they go to the decompressor (its
 * own process, so decompression and tar parsing run on separate cores), the tar stream is
 * parsed in place, and only the Kconfig-relevant files are copied out and written.
 */
async function streamSubset(tarball: string, into: string): Promise<string> {
  const { decompressorFor, stripTopFolder } = await import('./tarball-entries.js');
  const hash = createHash('sha256');
  const decompressor = decompressorFor(tarball);
  const file = createReadStream(tarball, { highWaterMark: 1 << 20 });
  let child: ChildProcess | undefined;
  let input: Readable;
  if (decompressor) {
    const [cmd, ...rest] = decompressor as [string, ...string[]];
    child = spawn(cmd, rest.filter((a) => a !== tarball), { stdio: ['pipe', 'pipe', 'pipe'] });
    input = child.stdout!;
  } else input = file;

  // ~2000 small files: synchronous writes cost less CPU than a promise chain per file, and the
  // decompressor keeps running in its own process meanwhile
  const madeDirs = new Set<string>();
  const parser = new TarEntryParser(
    (name) => {
      const rel = stripTopFolder(name);
      return rel !== '' && !rel.includes('..') && isKconfigRelevant(rel);
    },
    (entry) => {
      const dest = path.join(into, stripTopFolder(entry.name));
      const dir = path.dirname(dest);
      if (!madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        madeDirs.add(dir);
      }
      writeFileSync(dest, entry.data, { mode: entry.mode & 0o777 });
    },
  );

  const stderr: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    file.on('error', reject);
    input.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (err) {
        reject(err);
      }
    });
    input.on('error', reject);
    if (child) {
      child.stderr!.on('data', (c: Buffer) => stderr.push(c));
      child.on('error', reject);
      child.stdin!.on('error', () => {
        // the decompressor quit early: its exit status says why
      });
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(Buffer.concat(stderr).toString('utf8').trim() || `${decompressor![0]} exited with ${code}`));
      });
    } else input.on('end', () => resolve());
  });
  file.on('data', (chunk) => hash.update(chunk as Buffer));
  if (child) file.pipe(child.stdin!);
  try {
    await done;
    parser.end();
  } catch (err) {
    child?.kill();
    file.destroy();
    throw new UsageError(`${tarball}: cannot read tarball: ${(err as Error).message.split('\n')[0]}`);
  }
  return hash.digest('hex');
}
