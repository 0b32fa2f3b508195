import { readFileSync } from 'node:fs';

export type PackageManager = 'apt' | 'dnf';

/** 'apt' on Debian and Ubuntu (and derivatives), 'dnf' on Fedora, RHEL and CentOS, from /etc/os-release. */
export function packageManagerOf(osRelease: string): PackageManager | undefined {
  const ids = [...osRelease.matchAll(/^(?:ID|ID_LIKE)="?([^"\n]*)"?$/gm)].flatMap((m) => m[1]!.split(/\s+/));
  if (ids.some((id) => ['debian', 'ubuntu'].includes(id))) return 'apt';
  if (ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return 'dnf';
  return undefined;
}

export function thisPackageManager(file = '/etc/os-release'): PackageManager | undefined {
  try {
    return packageManagerOf(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The one command that installs `packages` here (as a person would type it). */
export function installCommand(pm: PackageManager, packages: readonly string[], root: boolean): string {
  const words = [...new Set(packages.flatMap((p) => p.split(/\s+/)).filter(Boolean))];
  const sudo = root ? '' : 'sudo ';
  return pm === 'apt' ? `${sudo}apt-get install -y ${words.join(' ')}` : `${sudo}dnf install -y ${words.join(' ')}`;
}
