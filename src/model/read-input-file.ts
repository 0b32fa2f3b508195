import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, statSync } from 'node:fs';
import type { Finding, SourceLocation } from '../findings/finding.js';
import { displayPath } from './safe-path.js';

/** Inputs larger than this are refused (a feature file or fragment is kilobytes; a base config ~300 KB). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export type InputRead =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: 'missing' | 'directory' | 'not-regular' | 'parent-not-folder' | 'too-large' | 'unreadable'; detail?: string };

/**
 * Read a file from a repository that may come from a stranger: its type is checked with lstat/stat
 * before it is opened, and it is opened non-blocking and checked again on the open descriptor, so a
 * FIFO, socket or device never blocks or is read, a folder is a clear answer instead of EISDIR,
 * and a path through a file is one instead of ENOTDIR.
 */
export function readInputFile(abs: string): Promise<InputRead> {
  // a throw becomes a rejection, as from an async function
  return new Promise((resolve) => resolve(readInputFileSync(abs)));
}

/**
 * The same, synchronously: repository inputs are small, and a synchronous read costs a fraction of
 * the thread-pool round trips of five promise calls on a loaded machine.
 */
export function readInputFileSync(abs: string): InputRead {
  try {
    const l = lstatSync(abs);
    const s = l.isSymbolicLink() ? statSync(abs) : l;
    if (s.isDirectory()) return { ok: false, reason: 'directory' };
    if (!s.isFile()) return { ok: false, reason: 'not-regular' };
    if (s.size > MAX_INPUT_BYTES) return { ok: false, reason: 'too-large' };
    const fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    try {
      const f = fstatSync(fd);
      if (!f.isFile()) return { ok: false, reason: 'not-regular' };
      if (f.size > MAX_INPUT_BYTES) return { ok: false, reason: 'too-large' };
      return { ok: true, bytes: readFileSync(fd) };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: 'missing' };
    if (code === 'ENOTDIR') return { ok: false, reason: 'parent-not-folder' };
    if (code === 'EISDIR') return { ok: false, reason: 'directory' };
    return { ok: false, reason: 'unreadable', detail: code ?? (err as Error).message };
  }
}

/** A finding for a read that failed (other than 'missing', which callers word themselves). */
export function inputReadFinding(abs: string, r: Extract<InputRead, { ok: false }>, what: string, where?: SourceLocation): Finding {
  const file = displayPath(abs);
  const message = {
    missing: `${what} ${file} does not exist`,
    directory: `${what} ${file} is a folder, not a file`,
    'not-regular': `${what} ${file} is not a regular file (a FIFO, socket or device); kplay does not read it`,
    'parent-not-folder': `${what} ${file} cannot exist: a folder on its path is a file`,
    'too-large': `${what} ${file} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`,
    unreadable: `cannot read ${what} ${file}: ${r.detail ?? 'unknown error'}`,
  }[r.reason];
  return { code: r.reason === 'unreadable' ? 'E_INPUT_UNREADABLE' : 'E_INPUT_KIND', severity: 'error', message, where: where ?? { file, line: 0, col: 0 } };
}
