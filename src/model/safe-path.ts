import { realpathSync } from 'node:fs';
import path from 'node:path';

/** True when `child` is `parent` or inside it (both absolute, normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A relative name from a user file that stays inside its folder: no absolute path, no `..`. */
export function isSafeRelativeName(name: string): boolean {
  if (name === '' || path.isAbsolute(name) || name.includes('\0') || name.includes('\\')) return false;
  return !name.split('/').some((seg) => seg === '..');
}

/**
 * Resolve symlinks and confirm the real file is still inside the real folder.
 * Returns the real path, or undefined when it escapes (or does not exist: see `exists`).
 */
export function realPathInside(folder: string, file: string): Promise<{ real?: string; exists: boolean }> {
  // a throw becomes a rejection, as from an async function
  return new Promise((resolve) => resolve(realPathInsideSync(folder, file)));
}

function realPathInsideSync(folder: string, file: string): { real?: string; exists: boolean } {
  let realFolder: string;
  let realFile: string;
  try {
    // synchronous: two thread-pool round trips per input file add up on a loaded machine
    realFolder = realpathSync.native(folder);
    realFile = realpathSync.native(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // a path through a file cannot exist; a loop of links leads nowhere inside
    if (code === 'ENOENT' || code === 'ENOTDIR') return { exists: false };
    if (code === 'ELOOP') return { exists: true };
    throw err;
  }
  return isInside(realFolder, realFile) ? { real: realFile, exists: true } : { exists: true };
}

/** A path for messages: relative to the working directory when that is shorter. */
export function displayPath(abs: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}
