/**
 * The on-disk cache of parsed Kconfig trees: `<cache>/kconfig-parsed/<key>.bin`, a v8-serialized
 * tree snapshot plus the list of every file the parse read (or looked for and did not find) with
 * its size, mtime and digest. The key covers the tree folder, the arch, the toolchain identity and
 * the engine's own code; a stored tree is used only when every recorded file is unchanged (same
 * size and mtime, or else the same digest) and every missing one is still missing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { SNAPSHOT_FORMAT, type TreeSnapshot } from './tree-snapshot.js';

/** A file the parse read: present with size/mtime/digest, or absent. */
export interface ReadRecord {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha256 of the content; '' when the file did not exist. */
  digest: string;
}

export interface StoredTree {
  snapshot: TreeSnapshot;
  reads: ReadRecord[];
  env: Record<string, string>;
  kernelVersion: string;
  /** The macro commands the parse issued, with their outputs (KconfigTree.shellCommands). */
  commands: Record<string, string>;
}

let stamp: string | undefined;

/**
 * A digest of the engine's own module files (names and contents): a changed engine never reuses
 * a tree, and a rebuild that writes the same code (new mtimes) still does. ~0.5 MB, read once.
 */
export function engineStamp(): string {
  if (stamp) return stamp;
  const h = createHash('sha256');
  h.update(`format ${SNAPSHOT_FORMAT}\n`);
  try {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.map')) continue;
      h.update(`${name}\n`);
      h.update(readFileSync(path.join(dir, name)));
    }
  } catch {
    h.update(`unknown ${Date.now()}`);
  }
  return (stamp = h.digest('hex').slice(0, 16));
}

export function parsedTreeFile(cacheDir: string, keyParts: readonly string[]): string {
  const h = createHash('sha256');
  h.update(engineStamp());
  for (const k of keyParts) h.update(`\0${k}`);
  return path.join(cacheDir, 'kconfig-parsed', `${h.digest('hex').slice(0, 32)}.bin`);
}

export function contentDigest(text: string): string {
  return createHash('sha256').update(text, 'latin1').digest('hex');
}

/** Records reads through `read`, for storing with the parsed tree. */
/** A file modified this recently before the parse read it is checked by digest, not by mtime. */
const RACY_MS = 3000;

export class ReadRecorder {
  private readonly records = new Map<string, ReadRecord>();
  constructor(private readonly root: string) {}

  record(rel: string, text: string | undefined): void {
    if (this.records.has(rel)) return;
    if (text === undefined) {
      this.records.set(rel, { path: rel, size: -1, mtimeMs: 0, digest: '' });
      return;
    }
    let size = -1;
    let mtimeMs = 0;
    try {
      const st = statSync(path.join(this.root, rel));
      size = st.size;
      // "racily clean" (git's term): a file changed within the file system's timestamp tick of
      // this read could change again with the same size and mtime; its digest decides instead
      mtimeMs = Date.now() - st.mtimeMs < RACY_MS ? -1 : st.mtimeMs;
    } catch {
      // raced away: the digest still decides
    }
    this.records.set(rel, { path: rel, size, mtimeMs, digest: contentDigest(text) });
  }

  list(): ReadRecord[] {
    return [...this.records.values()];
  }
}

/**
 * Whether a recorded file is unchanged. A file whose bytes match but whose size/mtime did not
 * (a racily-clean record, mtime -1, or a touched file) gets its settled stat written into `r`
 * once its mtime is RACY_MS old ('refreshed'): otherwise it would be read and hashed on every
 * later load (a tree copied and parsed at once: ~2,000 files, +0.1-0.2 s per warm run).
 */
function checkRecord(root: string, r: ReadRecord): 'same' | 'refreshed' | 'changed' {
  const file = path.join(root, r.path);
  let st;
  try {
    st = statSync(file);
  } catch {
    return r.digest === '' ? 'same' : 'changed';
  }
  if (r.digest === '') return st.isFile() ? 'changed' : 'same';
  if (st.size === r.size && st.mtimeMs === r.mtimeMs) return 'same';
  try {
    if (contentDigest(readFileSync(file, 'latin1')) !== r.digest) return 'changed';
  } catch {
    return 'changed';
  }
  // stat before the read: an edit after it has a later mtime, which the next check sees
  if (Date.now() - st.mtimeMs < RACY_MS) return 'same';
  r.size = st.size;
  r.mtimeMs = st.mtimeMs;
  return 'refreshed';
}

function isRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null;
}

/** The stored tree when present and every file it was parsed from is unchanged. */
export function readParsedTree(file: string, root: string): StoredTree | undefined {
  let stored: StoredTree;
  try {
    stored = deserialize(readFileSync(file)) as StoredTree;
  } catch {
    return undefined;
  }
  if (!stored || stored.snapshot?.format !== SNAPSHOT_FORMAT || !Array.isArray(stored.reads) || !isRecord(stored.commands))
    return undefined;
  let refreshed = false;
  for (const r of stored.reads) {
    const state = checkRecord(root, r);
    if (state === 'changed') return undefined;
    if (state === 'refreshed') refreshed = true;
  }
  if (refreshed) {
    writeParsedTree(file, stored);
    return stored;
  }
  try {
    // the mtime is the last use: writeParsedTree removes the least recently used beyond KEEP_TREES
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // read-only cache
  }
  return stored;
}

/**
 * Parsed trees kept in `kconfig-parsed/`: each kernel tree × arch, each revision of a patch
 * series that changes Kconfig, and each engine build (its stamp is in the key) writes one
 * (8–12 MB; a full test run uses about 20); beyond this many, the least recently used are removed.
 */
export const KEEP_TREES = 48;

function removeLeastRecentlyUsed(dir: string, written: string): void {
  let trees: Array<{ file: string; used: number }>;
  try {
    trees = readdirSync(dir)
      .filter((n) => n.endsWith('.bin'))
      .map((n) => {
        const file = path.join(dir, n);
        return { file, used: file === written ? Infinity : statSync(file).mtimeMs };
      });
  } catch {
    return; // raced with another run's removal: the next write tries again
  }
  if (trees.length <= KEEP_TREES) return;
  trees.sort((a, b) => b.used - a.used);
  for (const t of trees.slice(KEEP_TREES)) rmSync(t.file, { force: true });
}

/** Store a parsed tree (atomically; a failure to write only costs the next run a parse). */
export function writeParsedTree(file: string, stored: StoredTree): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize(stored));
    renameSync(tmp, file);
    removeLeastRecentlyUsed(path.dirname(file), file);
  } catch {
    // read-only cache: keep going without it
  }
}
