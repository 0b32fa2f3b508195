/**
 * What each command needs from the machine, as data: the tools on PATH (or files) and the
 * package that brings them on Debian/Ubuntu and on Fedora/RHEL. `kplay doctor` checks them;
 * keeping them as data means a new command adds rows here, not code.
 */
export interface MachineRequirement {
  /** what a person calls it */
  name: string;
  /** commands that must be on PATH */
  bins?: string[];
  /** files that must exist; a `*` matches within one path segment */
  files?: string[];
  /** the Debian/Ubuntu package(s), '' when Debian does not package it (then `manual` says how) */
  apt: string;
  dnf: string;
  /** how to get it where no package brings it */
  manual?: string;
  /** the kplay commands (or command + flag) that need it */
  neededBy: string[];
  /** optional: the command works without it, only slower or with less checked */
  optional?: boolean;
}

export const MACHINE_REQUIREMENTS: readonly MachineRequirement[] = [
  { name: 'tar and xz', bins: ['tar', 'xz'], apt: 'xz-utils', dnf: 'xz', neededBy: ['compose --kernel-source', 'kconfig', 'patches'] },
  { name: 'git', bins: ['git'], apt: 'git', dnf: 'git', neededBy: ['compose (dist-git bases)', 'track'] },
  { name: 'rpm build tools', bins: ['rpmbuild', 'rpmspec'], apt: 'rpm', dnf: 'rpm-build', neededBy: ['srpm', 'submit', 'sign'] },
  {
    name: 'sandbox (bubblewrap)',
    bins: ['bwrap'],
    apt: 'bubblewrap',
    dnf: 'bubblewrap',
    neededBy: ['srpm (%prep check)', 'submit (%prep check)', 'compose --kernel-devel (compile test)', 'try', 'track', 'matrix'],
  },
  {
    name: "the kernel's conf (gcc, make, flex, bison)",
    bins: ['gcc', 'make', 'flex', 'bison'],
    apt: 'gcc make flex bison',
    dnf: 'gcc make flex bison',
    neededBy: ['compose --verify-kconfig', 'kconfig resolve --verify', 'try', 'compose --kernel-devel (compile test)'],
  },
  {
    name: 'bc and libelf (kernel builds)',
    bins: ['bc'],
    files: ['/usr/include/libelf.h'],
    apt: 'bc libelf-dev',
    dnf: 'bc elfutils-libelf-devel',
    neededBy: ['try'],
  },
  { name: 'QEMU (x86_64)', bins: ['qemu-system-x86_64'], apt: 'qemu-system-x86', dnf: 'qemu-system-x86', neededBy: ['try --boot'] },
  { name: 'static busybox', files: ['/bin/busybox'], apt: 'busybox-static', dnf: 'busybox', neededBy: ['try --boot'] },
  { name: 'ccache', bins: ['ccache'], apt: 'ccache', dnf: 'ccache', neededBy: ['try'], optional: true },
  { name: 'module tools', bins: ['modinfo', 'depmod'], apt: 'kmod', dnf: 'kmod', neededBy: ['kabi', 'sign'] },
  { name: 'Secure Boot signing', bins: ['sbsign', 'sbverify'], apt: 'sbsigntool', dnf: 'sbsigntools', neededBy: ['sign'] },
  { name: 'pesign', bins: ['pesign'], apt: 'pesign', dnf: 'pesign', neededBy: ['sign (pesign path)'], optional: true },
  { name: 'RPM unpacking', bins: ['rpm2cpio', 'cpio'], apt: 'rpm2cpio cpio', dnf: 'rpm cpio', neededBy: ['sign', 'kabi (RPM input)'] },
  { name: 'openssl', bins: ['openssl'], apt: 'openssl', dnf: 'openssl', neededBy: ['keys new', 'submit --cbs'] },
  {
    name: 'koji CLI',
    bins: ['koji'],
    apt: '',
    dnf: 'koji',
    manual: 'Debian does not package the koji CLI: `pip install koji`, or submit from a Fedora/CentOS machine',
    neededBy: ['submit --cbs'],
    optional: true,
  },
];

/** Credentials and settings files the build services read; only their presence and mode are checked, never their content. */
export const CREDENTIAL_FILES: ReadonlyArray<{ name: string; path: string; neededBy: string }> = [
  { name: 'Copr API token (copr-cli)', path: '~/.config/copr', neededBy: 'submit --copr' },
  { name: 'koji client configuration', path: '~/.koji/config', neededBy: 'submit --cbs' },
  { name: 'CentOS CBS client certificate', path: '~/.centos.cert', neededBy: 'submit --cbs' },
];
