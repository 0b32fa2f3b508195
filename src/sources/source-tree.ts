import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Read-only access to a kernel source tree, whether it is an extracted folder or a tarball.
 * Paths are relative to the tree's top (`Kconfig`, `fs/overlayfs/super.c`), always with `/`.
 */
export interface SourceTree {
  /** What to show the user: the folder or tarball path. */
  readonly label: string;
  readFile(relPath: string): Promise<Buffer | undefined>;
}

/** A folder holding an extracted kernel tree. */
export class DirectorySourceTree implements SourceTree {
  constructor(readonly root: string) {}
  get label(): string {
    return this.root;
  }
  async readFile(relPath: string): Promise<Buffer | undefined> {
    const normalized = path.posix.normalize(relPath);
    if (normalized.startsWith('../') || path.posix.isAbsolute(normalized)) return undefined;
    try {
      return await readFile(path.join(this.root, normalized));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  }
}

/** The files of a tarball that a filter selected, held in memory. */
export class TarballSubsetTree implements SourceTree {
  constructor(
    readonly tarball: string,
    readonly files: ReadonlyMap<string, Buffer>,
  ) {}
  get label(): string {
    return this.tarball;
  }
  readFile(relPath: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.files.get(path.posix.normalize(relPath)));
  }
}

export { isDirectory } from '../fs/path-kind.js';
