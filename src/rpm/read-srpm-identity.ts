import { execa } from 'execa';
import path from 'node:path';

/** Name, version and release of a source package: what `build/list` reports for a build. */
export interface SrpmIdentity {
  name: string;
  /** `version-release`, as Copr shows `source_package.version` (with `epoch:` when set). */
  version: string;
}

/**
 * Split `name-version-release.src.rpm` the way RPM names its files: the last two `-` separate
 * version and release. Returns undefined for names that do not have that shape.
 */
export function srpmIdentityFromFileName(fileName: string): SrpmIdentity | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(path.basename(fileName));
  if (!m) return undefined;
  return { name: m[1]!, version: `${m[2]}-${m[3]}` };
}

/**
 * Read the identity from the SRPM's header with `rpm -qp`, falling back to the file name when
 * rpm is not installed (submitting needs no rpm tools).
 */
export async function readSrpmIdentity(srpmPath: string): Promise<SrpmIdentity> {
  try {
    const { stdout } = await execa('rpm', ['-qp', '--nosignature', '--qf', '%{NAME}\\n%{EPOCH}\\n%{VERSION}\\n%{RELEASE}\\n', srpmPath], {
      env: { LC_ALL: 'C' },
    });
    const [name, epoch, version, release] = stdout.split('\n');
    if (name && version && release) {
      const e = epoch && epoch !== '(none)' ? `${epoch}:` : '';
      return { name, version: `${e}${version}-${release}` };
    }
  } catch {
    // fall through to the file name
  }
  const fromName = srpmIdentityFromFileName(srpmPath);
  if (fromName) return fromName;
  return { name: path.basename(srpmPath).replace(/\.(?:no)?src\.rpm$/, ''), version: '' };
}
