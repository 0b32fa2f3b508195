import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { encodePack, FilePack, type PackEntry } from './file-pack.js';
import { TarEntryParser } from './tar-entry-parser.js';
import { UsageError } from '../findings/finding.js';
import { byteProgress } from '../progress/byte-progress.js';

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
  // the toolchain distributions resolve their configs with (process_configs.sh: CROSS_COMPILE=scripts/dummy-tools/)
  if (rel.startsWith('scripts/dummy-tools/')) return true;
  return false;
}

/**
 * Kept on disk as files, besides the pack: what shell commands in Kconfig macros run
 * (scripts/*.sh, arch/<arch>/tools/*) and what building the tree's own conf reads. Kconfig files
 * and defconfigs, nine tenths of the subset, live only in the pack until something needs a folder.
 */
function isLooseFile(rel: string): boolean {
  return !rel.slice(rel.lastIndexOf('/') + 1).startsWith('Kconfig') && !/^arch\/[^/]+\/configs\//.test(rel);
}

/** Bumped whenever the kept subset or its layout changes (v3: one pack file plus the loose scripts; v4: scripts/dummy-tools). */
const SUBSET_VERSION = 'v4';
/** Written last into an extracted subset: the pack's and every loose file's sha256. */
const MANIFEST = '.manifest.json';
/** Every kept file, Kconfig files and defconfigs included (file-pack.ts). */
const PACK = 'kconfig.pack';
/** Written once the pack's files were also written out as files (materializeSubset). */
const MATERIALIZED = '.materialized';

interface Manifest {
  tarball: string;
  pack: string;
  /** Loose files with their sha256. */
  files: Record<string, string>;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Files of an extracted subset that no longer match its manifest (changed, missing, or no
 * manifest at all: `['.manifest.json']`): loose files, files inside the pack, and files
 * written out by materializeSubset. Empty when the folder is intact.
 */
export async function damagedSubsetFiles(folder: string): Promise<string[]> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(folder, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return [MANIFEST];
  }
  const bad: string[] = [];
  let pack: FilePack | undefined;
  try {
    const bytes = await readFile(path.join(folder, PACK));
    pack = new FilePack(bytes);
    bad.push(...pack.damaged());
    if (!bad.length && sha256(bytes) !== manifest.pack) bad.push(PACK);
  } catch {
    bad.push(PACK);
  }
  const check = async (rel: string, digest: string | undefined): Promise<void> => {
    try {
      if (sha256(await readFile(path.join(folder, rel))) !== digest) bad.push(rel);
    } catch {
      bad.push(rel);
    }
  };
  for (const [rel, digest] of Object.entries(manifest.files)) await check(rel, digest);
  if (pack && existsSync(path.join(folder, MATERIALIZED))) {
    for (const rel of pack.paths()) if (!(rel in manifest.files)) await check(rel, sha256(pack.data(rel)!));
  }
  return [...new Set(bad)];
}

const openPacks = new Map<string, { stamp: string; pack: FilePack }>();

/**
 * The pack of an extracted subset folder, or undefined for a plain folder. Read once per process
 * while the file stays the same (size, mtime and inode: a re-extraction replaces it).
 */
export function subsetPack(folder: string): FilePack | undefined {
  const file = path.join(folder, PACK);
  let stamp: string;
  try {
    const st = statSync(file);
    stamp = `${st.size}|${st.mtimeMs}|${st.ino}`;
  } catch {
    return undefined;
  }
  const hit = openPacks.get(folder);
  if (hit?.stamp === stamp) return hit.pack;
  const pack = FilePack.read(file);
  openPacks.set(folder, { stamp, pack });
  return pack;
}

/** One file of a kernel tree folder or an extracted subset (from its pack), or undefined. */
export async function readSubsetFile(folder: string, rel: string): Promise<Buffer | undefined> {
  const fromPack = subsetPack(folder)?.data(rel);
  if (fromPack) return fromPack;
  try {
    return await readFile(path.join(folder, rel));
  } catch {
    return undefined;
  }
}

function writeFileAtomically(file: string, data: Buffer, mode: number, madeDirs: Set<string>): void {
  const dir = path.dirname(file);
  if (!madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: mode & 0o777 });
  renameSync(tmp, file);
}

/**
 * Write the pack's files out into the subset folder itself, for what needs a real tree: the
 * kernel's own conf (`--verify`), copies of the tree. The first call in a process checks every
 * file against the pack and rewrites what differs (a changed copy is repaired before conf reads
 * it); concurrent
 * runs write the same bytes through renames, so a reader never sees half a file.
 */
export function materializeSubset(folder: string): void {
  const pack = subsetPack(folder);
  if (!pack || materialized.has(pack)) return;
  const madeDirs = new Set<string>();
  for (const rel of pack.paths()) {
    const file = path.join(folder, rel);
    const data = pack.data(rel)!;
    // a file written out earlier and changed since is written again: the pack is the truth
    if (sameBytes(file, data)) continue;
    writeFileAtomically(file, data, pack.mode(rel) ?? 0o644, madeDirs);
  }
  if (!existsSync(path.join(folder, MATERIALIZED))) writeFileSync(path.join(folder, MATERIALIZED), '');
  materialized.add(pack);
}

/** Packs this process has written out and checked (once per process: conf runs many times). */
const materialized = new WeakSet<FilePack>();

function sameBytes(file: string, data: Buffer): boolean {
  try {
    return readFileSync(file).equals(data);
  } catch {
    return false;
  }
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

/** Other files to keep from the same pass over the tarball (a patch check's files: one decompression, not two). */
export interface FilesAlong {
  wanted: (rel: string) => boolean;
  /** Filled with each wanted file found, by its path in the tree. */
  files: Map<string, Buffer>;
  /** Set when the tarball was streamed (false: the subset was cached and `files` is empty). */
  streamed?: boolean;
}

/**
 * The folder of a tarball's extracted subset when it is already in the cache (what
 * extractKconfigSubset would return without streaming), else undefined. Only stats and reads the
 * small index: for answers that need the subset's name, not its files.
 */
export async function cachedSubsetFolder(tarball: string, cacheDir: string): Promise<string | undefined> {
  const trees = path.join(cacheDir, 'kconfig-trees');
  try {
    const st = await stat(tarball);
    const fileKey = `${await realpath(tarball)}|${st.size}|${st.mtimeMs}|${SUBSET_VERSION}`;
    const known = (await readIndex(path.join(trees, 'index.json')))[fileKey];
    return known && existsSync(path.join(trees, known, MANIFEST)) ? path.join(trees, known) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Kconfig-relevant subset of a source tarball, extracted once into
 * `<cacheDir>/kconfig-trees/<sha256>-v3/` (a pack of every kept file, the loose scripts, and a
 * manifest written last) and reused: the tarball is streamed a single time (hashing
 * the compressed bytes while decompressing), later calls only stat it.
 * Returns the folder holding the subset.
 */
export async function extractKconfigSubset(
  tarball: string,
  cacheDir: string,
  opts: {
    refresh?: boolean;
    /** Also keep these files when the tarball is streamed (not when the subset was cached). */
    along?: FilesAlong;
  } = {},
): Promise<string> {
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
    const entries: PackEntry[] = [];
    digest = `${await streamSubset(tarball, entries, opts.along)}-${SUBSET_VERSION}`;
    if (opts.along) opts.along.streamed = true;
    const pack = encodePack(entries);
    await writeFile(path.join(partial, PACK), pack);
    const files: Manifest['files'] = {};
    const madeDirs = new Set<string>();
    for (const e of entries) {
      if (!isLooseFile(e.path)) continue;
      writeFileAtomically(path.join(partial, e.path), e.data, e.mode, madeDirs);
      files[e.path] = sha256(e.data);
    }
    // the manifest is written last: a folder without it is incomplete
    const manifest: Manifest = { tarball, pack: sha256(pack), files };
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

/** Largest decompressed stream read from a tarball (a decompression bomb stops here): 64 GiB. */
export const MAX_TAR_BYTES = 64 * 1024 ** 3;
/** A decompressor that writes nothing for this long is stopped (a hung or stopped child). */
export const DECOMPRESSOR_STALL_MS = 10 * 60_000;

/**
 * Stream the tarball once. The decompressor (its own process: `xz -dc -T0` decodes the blocks of
 * a multi-block .xz on every core) reads the file itself while this process hashes the same bytes
 * from the page cache; the tar stream is parsed in place as it arrives, and only the
 * Kconfig-relevant files (and `along`'s) are kept in memory, for the pack. Feeding the
 * decompressor through its stdin instead cost one more copy of the compressed file through a pipe.
 */
async function streamSubset(tarball: string, entries: PackEntry[], along?: FilesAlong): Promise<string> {
  const { decompressorFor, stripTopFolder } = await import('./tarball-entries.js');
  const hash = createHash('sha256');
  const decompressor = decompressorFor(tarball);
  const file = createReadStream(tarball, { highWaterMark: 1 << 20 });
  let child: ChildProcess | undefined;
  let input: Readable;
  if (decompressor) {
    const [cmd, ...rest] = decompressor as [string, ...string[]];
    child = spawn(cmd, [...rest, '--', tarball], { stdio: ['ignore', 'pipe', 'pipe'] });
    input = child.stdout!;
  } else input = file;

  const parser = new TarEntryParser(
    (name) => {
      const rel = stripTopFolder(name);
      return rel !== '' && !rel.includes('..') && (isKconfigRelevant(rel) || along?.wanted(rel) === true);
    },
    (entry) => {
      const rel = stripTopFolder(entry.name);
      if (isKconfigRelevant(rel)) entries.push({ path: rel, mode: entry.mode, data: entry.data });
      if (along?.wanted(rel)) along.files.set(rel, entry.data);
    },
  );

  const stderr: Buffer[] = [];
  let received = 0;
  const progress = byteProgress(`decompressing ${path.basename(tarball)}`);
  let stall: NodeJS.Timeout | undefined;
  const hashed = new Promise<void>((resolve, reject) => {
    file.on('data', (chunk) => hash.update(chunk as Buffer));
    file.on('end', () => resolve());
    file.on('error', reject);
  });
  const done = new Promise<void>((resolve, reject) => {
    const armStall = (): void => {
      if (!child) return;
      clearTimeout(stall);
      stall = setTimeout(
        () => reject(new Error(`${decompressor![0]} wrote nothing for ${DECOMPRESSOR_STALL_MS / 1000} s`)),
        DECOMPRESSOR_STALL_MS,
      );
      stall.unref();
    };
    armStall();
    input.on('data', (chunk: Buffer) => {
      received += chunk.length;
      progress.add(chunk.length);
      try {
        if (received > MAX_TAR_BYTES) throw new Error(`it decompresses to more than ${MAX_TAR_BYTES} bytes`);
        parser.push(chunk);
        armStall();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    input.on('error', reject);
    if (child) {
      child.stderr!.on('data', (c: Buffer) => {
        if (stderr.length < 64) stderr.push(c);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(Buffer.concat(stderr).toString('utf8').trim() || `${decompressor![0]} exited with ${code}`));
      });
    } else input.on('end', () => resolve());
  });
  try {
    await Promise.all([done, hashed]);
    parser.end();
    progress.done();
  } catch (err) {
    progress.fail();
    child?.kill();
    file.destroy();
    throw new UsageError(`${tarball}: cannot read tarball: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    clearTimeout(stall);
  }
  return hash.digest('hex');
}
