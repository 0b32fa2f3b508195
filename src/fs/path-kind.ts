import { stat } from 'node:fs/promises';

/** What is at a path, following links: 'file', 'directory', 'other', or undefined when nothing is. */
export async function pathKind(p: string): Promise<'file' | 'directory' | 'other' | undefined> {
  try {
    const s = await stat(p);
    return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
  } catch {
    return undefined;
  }
}

export async function pathExists(p: string): Promise<boolean> {
  return (await pathKind(p)) !== undefined;
}

export async function isFile(p: string): Promise<boolean> {
  return (await pathKind(p)) === 'file';
}

export async function isDirectory(p: string): Promise<boolean> {
  return (await pathKind(p)) === 'directory';
}
