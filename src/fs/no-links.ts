import { lstatSync } from 'node:fs';
import { mkdir, lstat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** True when `child` is `parent` or inside it (fs/ imports nothing above it: model/safe-path has the same rule). */
function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The first path, from the component right below `top` down to `abs` itself, that is a symbolic
 * link (checked with lstat, one component at a time), or undefined when there is none. Components
 * that do not exist end the walk: nothing below them can be a link yet. `abs` must be inside `top`
 * (both absolute); otherwise `abs` is returned, as if it were a link (nothing is trusted).
 */
export function firstLinkBelow(top: string, abs: string): string | undefined {
  const from = path.resolve(top);
  const to = path.resolve(abs);
  if (!isInside(from, to)) return to;
  let dir = from;
  for (const part of path.relative(from, to).split(path.sep).filter(Boolean)) {
    dir = path.join(dir, part);
    try {
      if (lstatSync(dir).isSymbolicLink()) return dir;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Thrown when a path kplay is about to write or remove goes through a link below its folder. */
export class LinkInPathError extends Error {
  constructor(readonly link: string) {
    super(`${link} is a symbolic link; kplay does not write or remove through links`);
  }
}

/**
 * Create `rel` (a `/`-separated relative name) and its parents inside `top`, one level at a time,
 * refusing (LinkInPathError) a component that is a link or not a folder. Never re-creates `top`.
 */
export async function mkdirInside(top: string, rel: string): Promise<void> {
  if (rel === '.' || rel === '') return;
  let dir = top;
  for (const part of rel.split('/')) {
    dir = path.join(dir, part);
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const s = await lstat(dir);
    if (s.isSymbolicLink() || !s.isDirectory()) throw new LinkInPathError(dir);
  }
}

/**
 * Remove the file `rel` inside `top` when every folder on its way is a real folder (lstat, one
 * component at a time) and it is itself a file or a link (the link, never its target). Returns
 * false, touching nothing, when a component is a link or the entry is a folder or gone.
 */
export async function unlinkInside(top: string, rel: string): Promise<boolean> {
  const target = path.join(top, ...rel.split('/'));
  if (!isInside(top, target) || target === path.resolve(top)) return false;
  if (firstLinkBelow(top, path.dirname(target)) !== undefined) return false;
  const s = await lstat(target).catch(() => undefined);
  if (!s || s.isDirectory()) return false;
  await unlink(target);
  return true;
}
