import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The file that says "kplay wrote this folder, for this variant, and these are its files". */
export const OUTPUT_MARKER = '.kplay-output.json';

export interface OutputMarker {
  kplay: 1;
  variant: string;
  /** Files kplay wrote (relative, `/`-separated); `state/` is never listed and never touched. */
  files: string[];
}

/** The marker of a folder, undefined when there is none, or 'invalid' when it cannot be read as one. */
export async function readOutputMarker(outDir: string): Promise<OutputMarker | 'invalid' | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(outDir, OUTPUT_MARKER), 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : 'invalid';
  }
  try {
    const m = JSON.parse(text) as Partial<OutputMarker>;
    if (m.kplay !== 1 || typeof m.variant !== 'string' || !Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string')) return 'invalid';
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
