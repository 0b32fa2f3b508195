import { lstat, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSafeRelativeName } from '../model/safe-path.js';

/** The file that says "kplay wrote this folder, for this variant, and these are its files". */
export const OUTPUT_MARKER = '.kplay-output.json';

export interface OutputMarker {
  kplay: 1;
  variant: string;
  /** Files kplay wrote (relative, `/`-separated); `state/` is never listed and never touched. */
  files: string[];
}

/** A marker larger than this was not written by kplay (a compose lists tens of files). */
const MAX_MARKER_BYTES = 4 * 1024 * 1024;

/**
 * An entry kplay could have written: a plain relative name (`a`, `a/b`) — no absolute path, no
 * `..`, `.` or empty segment, no backslash, NUL or control character. Anything else makes the
 * whole marker foreign, so kplay never removes a path a stranger chose.
 */
export function isMarkerEntry(f: unknown): f is string {
  return (
    typeof f === 'string' &&
    f.length <= 4096 &&
    isSafeRelativeName(f) &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    !/[\x00-\x1f\x7f]/.test(f) &&
    !f.split('/').some((seg) => seg === '.' || seg === '')
  );
}

/** The marker of a folder, undefined when there is none, or 'invalid' when it cannot be read as one. */
export async function readOutputMarker(outDir: string): Promise<OutputMarker | 'invalid' | undefined> {
  let text: string;
  const file = path.join(outDir, OUTPUT_MARKER);
  try {
    // the marker comes from the folder, which may come from a repository: a link or an odd file is not kplay's
    const s = await lstat(file);
    if (!s.isFile() || s.size > MAX_MARKER_BYTES) return 'invalid';
    text = await readFile(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : 'invalid';
  }
  try {
    const m = JSON.parse(text) as Partial<OutputMarker>;
    if (m.kplay !== 1 || typeof m.variant !== 'string' || !Array.isArray(m.files) || !m.files.every(isMarkerEntry)) return 'invalid';
    return { kplay: 1, variant: m.variant, files: m.files };
  } catch {
    return 'invalid';
  }
}

/** Replace the marker atomically (write a sibling, rename it over). */
export async function writeOutputMarker(outDir: string, marker: OutputMarker): Promise<void> {
  const tmp = path.join(outDir, `${OUTPUT_MARKER}.tmp-${process.pid}`);
  await writeFile(tmp, `${JSON.stringify({ ...marker, files: [...new Set(marker.files)].sort() }, null, 2)}\n`);
  await rename(tmp, path.join(outDir, OUTPUT_MARKER));
}

/** Add files written into an output after compose (sources, the SRPM) to its marker. */
export async function recordOutputFiles(outDir: string, names: readonly string[]): Promise<void> {
  const m = await readOutputMarker(outDir);
  if (!m || m === 'invalid') return;
  await writeOutputMarker(outDir, { ...m, files: [...m.files, ...names] });
}
