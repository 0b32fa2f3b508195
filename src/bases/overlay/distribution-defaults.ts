/**
 * What kplay knows about each distribution whose kernel package it can overlay: where its dist-git
 * and lookaside cache live, and the suffix of its config Sources (`kernel-x86_64-fedora.config`).
 */
export interface Distribution {
  kind: 'fedora' | 'centos-stream';
  /** dist-git repository of a package. */
  distGitUrl(pkg: string): string;
  /** Base of the lookaside cache: `<base>/<pkg>/<file>/sha512/<hash>/<file>`. */
  lookasideBase: string;
  /** Config Sources of this distribution end in `-<flavour>.config`. */
  configFlavour: 'fedora' | 'rhel';
}

export const DISTRIBUTIONS: Record<Distribution['kind'], Distribution> = {
  fedora: {
    kind: 'fedora',
    distGitUrl: (pkg) => `https://src.fedoraproject.org/rpms/${pkg}.git`,
    lookasideBase: 'https://src.fedoraproject.org/repo/pkgs/rpms',
    configFlavour: 'fedora',
  },
  'centos-stream': {
    kind: 'centos-stream',
    distGitUrl: (pkg) => `https://gitlab.com/redhat/centos-stream/rpms/${pkg}.git`,
    lookasideBase: 'https://sources.stream.centos.org/sources/rpms',
    configFlavour: 'rhel',
  },
};
