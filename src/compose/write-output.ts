import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupOnSignal, processAlive } from '../fs/cleanup-on-signal.js';
import { isSafeRelativeName } from '../model/safe-path.js';
import { checkOutputFolder, isMachineryName, STATE_DIR, type OutputOwner } from './check-output-folder.js';
import { lockOutput, OUTPUT_LOCK } from './output-lock.js';
import { writeOutputMarker } from './output-marker.js';
import { outputFileMode } from '../fs/file-mode.js';
import { mkdirInside, unlinkInside } from '../fs/no-links.js';

export { STATE_DIR, type OutputOwner } from './check-output-folder.js';

const STAGE_PREFIX = '.kplay-tmp-';

/** Remove staging folders of runs that were killed (their pid is gone), and the old layout's siblings. */
async function removeStaleStaging(outDir: string): Promise<void> {
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    const m = new RegExp(`^${STAGE_PREFIX.replace(/\./g, '\\.')}(\\d+)-`).exec(name);
    if (m && !processAlive(Number(m[1]))) await rm(path.join(outDir, name), { recursive: true, force: true });
  }
  // kplay before the marker staged next to the output: .<name>.tmp-<pid>-<time> / .<name>.old-<pid>-<time>
  const parent = path.dirname(outDir);
  const base = path.basename(outDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const old = new RegExp(`^\\.${base}\\.(tmp|old)-(\\d+)-\\d+$`);
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const m = old.exec(name);
    if (m && !processAlive(Number(m[2]))) await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

/**
 * Write a composed output. kplay deletes only what it wrote (checkOutputFolder refuses anything
 * else before a byte is touched); concurrent runs on one output serialise on its lock; each file
 * is staged in a temporary folder inside the output and renamed over its old version, so a reader
 * never sees a half-written file; files of the previous compose that are no longer produced are
 * removed; `state/` is never touched. SIGINT/SIGTERM remove the staging folder and the lock; a
 * staging folder left by `kill -9` is removed by the next run.
 */
export async function writeOutputAtomically(
  outDir: string,
  files: ReadonlyMap<string, Buffer | string>,
  owner?: OutputOwner,
): Promise<void> {
  const abs = path.resolve(outDir);
  const who: OutputOwner = owner ?? { variant: path.basename(abs) };
  // kplay's own machinery (marker, lock, state/) is never part of the composed files: an overlay
  // of an earlier output reads them back as dist-git files
  files = new Map([...files].filter(([name]) => !isMachineryName(name.split('/')[0]!)));
  for (const name of files.keys()) {
    if (!isSafeRelativeName(name) || name.split('/').some((s) => s === '.' || s === '')) {
      throw new Error(`internal: output file name ${JSON.stringify(name)} is not a plain relative name`);
    }
  }
  await checkOutputFolder(abs, who);
  await mkdir(abs, { recursive: true });
  const unlock = await lockOutput(abs);
  const stage = path.join(abs, `${STAGE_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  // a signal from here on: the staging folder and this run's lock go (the lock is ours now)
  const unregister = cleanupOnSignal(() => {
    // retries: a write already handed to the thread pool may add a file while the folder goes
    rmSync(stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 10 });
    rmSync(path.join(abs, OUTPUT_LOCK), { force: true });
  });
  try {
    await removeStaleStaging(abs);
    // again under the lock: another run may have written meanwhile
    const previous = await checkOutputFolder(abs, who);
    await mkdir(stage);
    const names = [...files.keys()].sort();
    for (const name of names) {
      const target = path.join(stage, name);
      // never `mkdir -p` through the stage itself: after a signal removed it, that would bring it back
      await mkdirInside(stage, path.posix.dirname(name));
      // the mode a file carries (dist-git's merge.pl is 0755), else 0755 for *.sh: src/fs/file-mode.ts
      const content = files.get(name)!;
      await writeFile(target, content, { mode: outputFileMode(name, content) });
    }
    // the marker lists old and new files while they are swapped, so a killed run leaves no "foreign" file
    await writeOutputMarker(abs, { kplay: 1, variant: who.variant, files: [...(previous?.files ?? []), ...names] });
    for (const name of names) {
      const target = path.join(abs, name);
      // one level at a time, refusing a link: checkOutputFolder saw none, and none may have appeared
      await mkdirInside(abs, path.posix.dirname(name));
      const existing = await lstat(target).catch(() => undefined);
      if (existing?.isDirectory()) await rm(target, { recursive: true, force: true });
      await rename(path.join(stage, name), target);
    }
    const now = new Set(names);
    for (const gone of previous?.files ?? []) {
      if (now.has(gone) || !isSafeRelativeName(gone) || gone.split('/')[0] === STATE_DIR) continue;
      // never through a link, never a folder: only the file kplay wrote there
      await unlinkInside(abs, gone);
    }
    await writeOutputMarker(abs, { kplay: 1, variant: who.variant, files: names });
  } finally {
    await rm(stage, { recursive: true, force: true });
    unregister();
    await unlock();
  }
}
