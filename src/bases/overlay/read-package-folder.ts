import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { withFileMode } from '../../fs/file-mode.js';
import { codePointOrder } from '../../model/code-point-order.js';
import { OUTPUT_MARKER } from '../../compose/output-marker.js';

/** How a distribution's package folder is laid out. */
export type PackageLayout = 'flat' | 'SPECS+SOURCES';

// kplay's own output files are never inputs (overlaying an output folder again)
const SKIPPED = new Set(['.git', 'manifest.json', OUTPUT_MARKER]);

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function readFilesOf(dir: string, into: Map<string, Buffer>): Promise<void> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => codePointOrder(a.name, b.name))) {
    if (SKIPPED.has(e.name) || !e.isFile()) continue;
    const file = path.join(dir, e.name);
    into.set(e.name, withFileMode(await readFile(file), (await stat(file)).mode));
  }
}

/**
 * The files of a kernel package, each carrying its mode (see src/fs/file-mode.ts):
 * - flat (Fedora and CentOS Stream dist-git, an unpacked SRPM): every top-level file;
 * - git.centos.org (`SPECS/<name>.spec` + `SOURCES/...`, CentOS Linux 7/8 and older Stream):
 *   the spec(s) of SPECS/ and the files of SOURCES/, read as one flat set, which is how rpmbuild
 *   sees them (`_sourcedir`) and how kplay writes its output.
 */
export async function readPackageFolder(dir: string): Promise<{ files: Map<string, Buffer>; layout: PackageLayout }> {
  const files = new Map<string, Buffer>();
  if ((await isDir(path.join(dir, 'SPECS'))) && (await isDir(path.join(dir, 'SOURCES')))) {
    await readFilesOf(path.join(dir, 'SOURCES'), files);
    const specs = new Map<string, Buffer>();
    await readFilesOf(path.join(dir, 'SPECS'), specs);
    for (const [name, data] of specs) if (name.endsWith('.spec')) files.set(name, data);
    return { files, layout: 'SPECS+SOURCES' };
  }
  await readFilesOf(dir, files);
  return { files, layout: 'flat' };
}
