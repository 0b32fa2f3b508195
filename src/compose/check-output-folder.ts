import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../findings/finding.js';
import { displayPath, isInside } from '../model/safe-path.js';
import { firstLinkBelow } from '../fs/no-links.js';
import { OUTPUT_LOCK } from './output-lock.js';
import { OUTPUT_MARKER, readOutputMarker, type OutputMarker } from './output-marker.js';

/** Sub-folder of an output that survives a new compose (submit state: build and task ids). */
export const STATE_DIR = 'state';

/** Who is writing an output: the variant, and the repository and file it comes from. */
export interface OutputOwner {
  variant: string;
  /** Repository root (features/, variants/). */
  root?: string;
  /** The variant file. */
  variantFile?: string;
  /**
   * True when the user named the output folder on the command line (--out): links on the path
   * they typed are theirs. Otherwise (the default out/<variant>) no component below the
   * repository root may be a link: a link committed to a repository must not choose where kplay writes.
   */
  named?: boolean;
}

/** Names in an output that belong to kplay's machinery, not to the composed files. */
export function isMachineryName(name: string): boolean {
  return (
    name === STATE_DIR || name === OUTPUT_LOCK || name.startsWith('.kplay-') || name === '.rpmbuild-topdir' || name === '.rpmbuild-srpm'
  );
}

function refuse(outDir: string, why: string, hint = 'choose a new or empty folder with --out (or the default out/<variant>)'): never {
  const message = `refusing to write the output to ${displayPath(outDir)}: ${why}`;
  throw new UsageError(message, [
    { code: 'E_OUT_UNSAFE', severity: 'error', message, where: { file: displayPath(outDir), line: 0, col: 0 }, hint },
  ]);
}

async function realOrSelf(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Every file under `dir` (relative, `/`-separated), not descending into kplay's machinery. kplay
 * writes only folders and regular files, so a link (or FIFO, device…) anywhere in an output,
 * machinery included, is refused: removing or replacing "its" files would follow it.
 */
async function listFiles(outDir: string, dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (!e.isDirectory() && !e.isFile())
      refuse(
        outDir,
        `${rel} in it is ${e.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'} (kplay writes none, and does not write or remove through one)`,
        'remove it, or choose another folder with --out',
      );
    if (!prefix && isMachineryName(e.name)) continue;
    if (e.isDirectory()) out.push(...(await listFiles(outDir, path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * kplay deletes only what it wrote: an output folder must be new, empty, or carry kplay's marker
 * for the same variant with no other files in it. The repository root, any folder holding
 * variants/, features/ or .git, and any folder holding the variant are refused (E_OUT_UNSAFE,
 * exit 2) before anything is touched. Returns the existing marker, if any.
 */
export async function checkOutputFolder(outDir: string, owner: OutputOwner): Promise<OutputMarker | undefined> {
  const abs = path.resolve(outDir);
  const real = await realOrSelf(abs);
  const protect: Array<[string, string]> = [];
  if (owner.root) protect.push([await realOrSelf(owner.root), 'the repository root']);
  if (owner.variantFile) protect.push([await realOrSelf(path.dirname(path.resolve(owner.variantFile))), 'the folder of the variant']);
  for (const [p, what] of protect) {
    if (isInside(real, p)) refuse(abs, `it is ${real === p ? '' : 'an ancestor of '}${what}`);
  }
  if (owner.root && !owner.named) {
    const root = path.resolve(owner.root);
    const link = isInside(root, abs) ? firstLinkBelow(root, abs) : undefined;
    if (link)
      refuse(
        abs,
        `${displayPath(link)} on its way is a symbolic link (kplay follows no link below the repository root it was not given)`,
        'remove the link, or name the folder you mean with --out',
      );
  }
  let kind;
  try {
    kind = await lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') refuse(abs, 'a parent of it is a file');
    throw err;
  }
  if (kind.isSymbolicLink()) refuse(abs, 'it is a symbolic link');
  if (!kind.isDirectory()) refuse(abs, 'it is not a folder');
  const entries = await readdir(abs);
  for (const name of ['variants', 'features', '.git']) {
    if (entries.includes(name)) refuse(abs, `it holds ${name}${name === '.git' ? '' : '/'} (a repository, not an output)`);
  }
  const marker = await readOutputMarker(abs);
  if (marker === 'invalid') refuse(abs, `its ${OUTPUT_MARKER} is not kplay's`);
  if (!marker) {
    const foreign = entries.filter((n) => n !== OUTPUT_LOCK && !n.startsWith('.kplay-tmp-'));
    if (foreign.length)
      refuse(abs, `it is not empty and kplay did not write it (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`);
    // its lock and staging folders: no link among them either
    await listFiles(abs, abs);
    return undefined;
  }
  if (marker.variant !== owner.variant)
    refuse(
      abs,
      `kplay wrote it for the variant ${marker.variant}, not ${owner.variant}`,
      `use --out out/${owner.variant} or another new folder`,
    );
  const listed = new Set(marker.files);
  const foreign = (await listFiles(abs, abs)).filter((f) => !listed.has(f));
  if (foreign.length)
    refuse(
      abs,
      `it holds files kplay did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`,
      'move those files elsewhere, or choose another folder with --out',
    );
  return marker;
}
