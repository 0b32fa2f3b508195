import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile, realpath } from 'node:fs/promises';
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
  // the tree's own Kconfig tool: its dialect (src/kconfig/dialect.ts) and `--verify` builds it
  if (/^scripts\/(kconfig|include)\/[^/]+$/.test(rel)) return true;
  if (/^arch\/[^/]+\/tools\/[^/]+$/.test(rel)) return true;
  return false;
}

/** Bumped whenever the kept subset changes (v2: scripts/kconfig and scripts/include for the dialect and --verify). */
const SUBSET_VERSION = 'v2';
/** Written last into an extracted subset: every file with its sha256. */
const MANIFEST = '.manifest.json';

interface Manifest {
  tarball: string;
  files: Record<string, string>;
}

/**
 * Files of an extracted subset that no longer match its manifest (changed, missing, or no
 * manifest at all: `['.manifest.json']`). Empty when the folder is intact.
 */
export async function damagedSubsetFiles(folder: string): Promise<string[]> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(folder, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return [MANIFEST];
  }
  const bad: string[] = [];
  for (const [rel, digest] of Object.entries(manifest.files)) {
    try {
      if (
        createHash('sha256')
          .update(await readFile(path.join(folder, rel)))
          .digest('hex') !== digest
      )
        bad.push(rel);
    } catch {
      bad.push(rel);
    }
  }
  return bad;
}

/** Whether a folder is an extracted subset this module made (it has a manifest). */
export function isExtractedSubset(folder: string): boolean {
  return existsSync(path.join(folder, MANIFEST)) && path.basename(path.dirname(folder)) === 'kconfig-trees';
}

/** Remove `partial-<pid>-<ms>` folders of runs that died (their process is gone, or older than a day). */
async function removeStalePartials(trees: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(trees);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^partial-(\d+)-(\d+)$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive && Date.now() - Number(m[2]) < 24 * 3600 * 1000) continue;
    await rm(path.join(trees, name), { recursive: true, force: true });
  }
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
export async function extractKconfigSubset(tarball: string, cacheDir: string, opts: { refresh?: boolean } = {}): Promise<string> {
  const trees = path.join(cacheDir, 'kconfig-trees');
  const indexFile = path.join(trees, 'index.json');
  const st = await stat(tarball);
  const fileKey = `${await realpath(tarball)}|${st.size}|${st.mtimeMs}|${SUBSET_VERSION}`;
  const index = await readIndex(indexFile);
  const known = index[fileKey];
  if (!opts.refresh && known && existsSync(path.join(trees, known, MANIFEST))) return path.join(trees, known);

  await mkdir(trees, { recursive: true });
  await removeStalePartials(trees);
  const partial = path.join(trees, `partial-${process.pid}-${Date.now()}`);
  await mkdir(partial, { recursive: true });
  let digest: string;
  try {
    const files: Manifest['files'] = {};
    digest = `${await streamSubset(tarball, partial, files)}-${SUBSET_VERSION}`;
    // the manifest is written last: a folder without it is incomplete
    const manifest: Manifest = { tarball, files };
    await writeFile(path.join(partial, MANIFEST), JSON.stringify(manifest));
    const target = path.join(trees, digest);
    if (!opts.refresh && existsSync(path.join(target, MANIFEST))) await rm(partial, { recursive: true, force: true });
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
async function streamSubset(tarball: string, into: string, files: Manifest['files']): Promise<string> {
  const { decompressorFor, stripTopFolder } = await import('./tarball-entries.js');
  const hash = createHash('sha256');
  const decompressor = decompressorFor(tarball);
  const file = createReadStream(tarball, { highWaterMark: 1 << 20 });
  let child: ChildProcess | undefined;
  let input: Readable;
  if (decompressor) {
    const [cmd, ...rest] = decompressor as [string, ...string[]];
    child = spawn(
      cmd,
      rest.filter((a) => a !== tarball),
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
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
      files[stripTopFolder(entry.name)] = createHash('sha256').update(entry.data).digest('hex');
    },
  );

  const stderr: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    file.on('error', reject);
    input.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
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
