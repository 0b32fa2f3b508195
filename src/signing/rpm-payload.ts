import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';

/** Unpack an RPM's payload into `dir` (rpm2cpio | cpio), keeping modes and mtimes. */
export async function extractPayload(rpm: string, dir: string): Promise<void> {
  try {
    await execa('sh', ['-c', 'rpm2cpio "$1" | cpio -idmu --quiet --no-absolute-filenames', 'kplay-extract', path.resolve(rpm)], {
      cwd: dir,
    });
  } catch (err) {
    const e = err as { stderr?: string };
    throw new UsageError(
      `cannot unpack ${displayPath(rpm)} (rpm2cpio | cpio, Debian packages rpm2cpio and cpio): ${(e.stderr ?? '').trim().split('\n').pop() ?? ''}`,
    );
  }
}

/** Every regular file under `dir`, as payload paths (`/lib/modules/...`), sorted. */
export async function payloadFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(`/${path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`);
  }
  return out.sort();
}

/** Every symbolic link under `dir`, as payload paths (readdir does not follow them). */
export async function payloadLinks(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isSymbolicLink()) out.add(`/${path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`);
  }
  return out;
}

/** Kernel images kplay signs: vmlinuz*, and the EFI application form some arches ship. */
export function isKernelImagePath(p: string): boolean {
  return /(^|\/)vmlinuz[^/]*$/.test(p) && !p.endsWith('.hmac');
}

export function isModulePath(p: string): boolean {
  return /\.ko(\.xz|\.zst|\.gz)?$/.test(p);
}
