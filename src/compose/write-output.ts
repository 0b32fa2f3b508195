import { mkdir, rename, rm, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';
import { pathExists } from '../fs/path-kind.js';
import { outputFileMode } from '../fs/file-mode.js';

/** Sub-folder of an output that survives a new compose (submit state: build and task ids). */
export const STATE_DIR = 'state';


/**
 * Write a composed output atomically: every file goes to a temporary sibling folder, which then
 * replaces `outDir` by rename. A failure part-way leaves the previous output as it was.
 * The `state/` sub-folder of the previous output is carried over.
 */
export async function writeOutputAtomically(outDir: string, files: ReadonlyMap<string, Buffer | string>): Promise<void> {
  const parent = path.dirname(outDir);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(outDir)}.tmp-${process.pid}-${Date.now()}`);
  const old = path.join(parent, `.${path.basename(outDir)}.old-${process.pid}-${Date.now()}`);
  try {
    await mkdir(tmp, { recursive: true });
    for (const [name, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const target = path.join(tmp, name);
      await mkdir(path.dirname(target), { recursive: true });
      // the mode a file carries (dist-git's merge.pl is 0755), else 0755 for *.sh: src/fs/file-mode.ts
      await writeFile(target, content, { mode: outputFileMode(name, content) });
    }
    const hadOld = await pathExists(outDir);
    if (hadOld && (await pathExists(path.join(outDir, STATE_DIR)))) {
      await cp(path.join(outDir, STATE_DIR), path.join(tmp, STATE_DIR), { recursive: true });
    }
    if (hadOld) await rename(outDir, old);
    await rename(tmp, outDir);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (!(await pathExists(outDir)) && (await pathExists(old))) await rename(old, outDir);
    throw err;
  }
}
