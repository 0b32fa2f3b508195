// The system tools and files the test suite needs, as data: one entry per Debian package.
// scripts/test-setup.mjs checks them before every `npm test` and installs what is missing;
// to add one, append an entry here (and nothing else needs to change).
//
//   apt     Debian/Ubuntu package name
//   dnf     Fedora package name, or null when Fedora has no package for it (then `manual`
//           says how to get it)
//   bins    commands that must be on PATH (/usr/sbin and /sbin are searched too)
//   files   paths that must exist; a `*` matches within one path segment
//   tiers   the vitest projects that need it (unit, integration, security, kernel); only matters
//           when KPLAY_TEST_TIERS picks some: the integration tier builds and signs modules too
//   why     what uses it, for the message when it is missing

/** @typedef {'unit' | 'integration' | 'security' | 'kernel'} Tier */
/**
 * @typedef {object} Requirement
 * @property {string} apt
 * @property {string | null} dnf
 * @property {string[]} [bins]
 * @property {string[]} [files]
 * @property {Tier[]} tiers
 * @property {string} why
 * @property {string} [manual]
 */

const ALL = /** @type {Tier[]} */ (['unit', 'integration', 'security', 'kernel']);
const KERNEL = /** @type {Tier[]} */ (['kernel']);

const NO_FEDORA_TARBALL =
  'Fedora has no package with this tarball: copy it from the Debian package of the same name (it is a plain .tar.xz of the kernel source)';

/** @type {Requirement[]} */
export const REQUIREMENTS = [
  { apt: 'git', dnf: 'git', bins: ['git'], tiers: ALL, why: 'fixture repositories, git apply comparisons' },
  { apt: 'tar', dnf: 'tar', bins: ['tar'], tiers: ALL, why: 'kernel tarballs and fixture archives' },
  { apt: 'xz-utils', dnf: 'xz', bins: ['xz'], tiers: ALL, why: 'kernel tarballs and Debian kernel configs' },
  { apt: 'openssl', dnf: 'openssl', bins: ['openssl'], tiers: ALL, why: 'client certificates of the CBS tests' },
  { apt: 'patch', dnf: 'patch', bins: ['patch'], tiers: ALL, why: 'patch -F comparisons' },
  { apt: 'perl', dnf: 'perl', bins: ['perl'], tiers: ALL, why: "the kernel's scripts/extract-module-sig.pl" },
  { apt: 'rpm', dnf: 'rpm-build', bins: ['rpm', 'rpmbuild', 'rpmspec'], tiers: ALL, why: 'rpmspec -P, rpmbuild -bs/-bp on composed specs' },
  { apt: 'make', dnf: 'make', bins: ['make'], tiers: ALL, why: 'make olddefconfig on the real kernel trees' },
  { apt: 'gcc', dnf: 'gcc', bins: ['gcc'], tiers: ALL, why: 'the kernel builds its Kconfig tools (conf) with gcc' },
  { apt: 'flex', dnf: 'flex', bins: ['flex'], tiers: ALL, why: 'the kernel builds its Kconfig lexer' },
  { apt: 'bison', dnf: 'bison', bins: ['bison'], tiers: ALL, why: 'the kernel builds its Kconfig parser' },
  { apt: 'bc', dnf: 'bc', bins: ['bc'], tiers: ALL, why: 'kernel make targets' },
  {
    apt: 'bubblewrap',
    dnf: 'bubblewrap',
    bins: ['bwrap'],
    tiers: ALL,
    why: 'the sandbox of every step that runs code from the inputs (make M=, rpmbuild -bp, kplay try builds; the KMM Day-1 script tests)',
  },
  { apt: 'util-linux', dnf: 'util-linux', bins: ['prlimit'], tiers: ALL, why: 'resource limits inside the sandbox' },
  { apt: 'time', dnf: 'time', files: ['/usr/bin/time'], tiers: ALL, why: 'peak memory of matrix runs' },
  {
    apt: 'libssl-dev',
    dnf: 'openssl-devel',
    files: ['/usr/include/openssl/ssl.h'],
    tiers: ALL,
    why: 'kernel host tools (sign-file, extract-cert)',
  },
  { apt: 'libelf-dev', dnf: 'elfutils-libelf-devel', files: ['/usr/include/libelf.h'], tiers: ALL, why: 'kernel host tools (objtool)' },
  { apt: 'dwarves', dnf: 'dwarves', bins: ['pahole'], tiers: ALL, why: 'BTF generation in kernel module builds' },
  { apt: 'kmod', dnf: 'kmod', bins: ['modinfo', 'depmod'], tiers: ALL, why: 'inspecting built kernel modules' },
  { apt: 'sbsigntool', dnf: 'sbsigntools', bins: ['sbsign', 'sbverify'], tiers: ALL, why: 'Secure Boot signing of kernel images' },
  { apt: 'pesign', dnf: 'pesign', bins: ['pesign'], tiers: ALL, why: 'PE signing as Fedora/RHEL kernel specs do it' },
  { apt: 'libnss3-tools', dnf: 'nss-tools', bins: ['certutil', 'pk12util'], tiers: ALL, why: 'the NSS databases pesign signs from' },
  { apt: 'rpm2cpio', dnf: 'rpm', bins: ['rpm2cpio'], tiers: ALL, why: 'unpacking built RPMs (kplay sign, kmod packages)' },
  { apt: 'cpio', dnf: 'cpio', bins: ['cpio'], tiers: ALL, why: 'unpacking built RPMs (kplay sign, kmod packages)' },
  { apt: 'curl', dnf: 'curl', bins: ['curl'], tiers: ALL, why: 'Copr GSSAPI login goes through curl --negotiate' },
  { apt: 'shellcheck', dnf: 'ShellCheck', bins: ['shellcheck'], tiers: ALL, why: 'shell lines of composed specs' },
  {
    apt: 'systemd-boot-efi',
    dnf: 'systemd-boot-unsigned',
    files: ['/usr/lib/systemd/boot/efi/linuxx64.efi.stub'],
    tiers: ALL,
    why: 'the EFI stub for unified kernel images',
  },
  {
    apt: 'linux-headers-amd64',
    dnf: 'kernel-devel',
    files: ['/usr/src/linux-headers-*/Makefile'],
    tiers: ALL,
    why: 'building out-of-tree modules (kmod)',
  },
  // kABI on a real pair: modules built against these older Debian 6.1 ABIs, checked against the
  // linux-headers-6.1.0-57-amd64 the meta-package installs (test/kernel/kmod-kabi-debian-pair.test.ts)
  {
    apt: 'linux-headers-6.1.0-54-amd64',
    dnf: null,
    files: ['/usr/src/linux-headers-6.1.0-54-amd64/Module.symvers'],
    tiers: KERNEL,
    why: 'kABI against a real older kernel-devel (Debian 6.1.190-1: thousands of CRCs differ from 6.1.0-57)',
    manual: 'Fedora has no Debian kernel headers: skip the kernel tier there, or unpack the Debian package (dpkg-deb -x)',
  },
  {
    apt: 'linux-headers-6.1.0-56-amd64',
    dnf: null,
    files: ['/usr/src/linux-headers-6.1.0-56-amd64/Module.symvers'],
    tiers: KERNEL,
    why: 'kABI against a real older kernel-devel (Debian 6.1.192-2: the same exports as 6.1.0-57, a clean pass)',
    manual: 'Fedora has no Debian kernel headers: skip the kernel tier there, or unpack the Debian package (dpkg-deb -x)',
  },
  {
    apt: 'linux-headers-6.1.0-57-amd64',
    dnf: null,
    files: ['/usr/src/linux-headers-6.1.0-57-amd64/Module.symvers'],
    tiers: KERNEL,
    why: 'the newer kernel-devel of the kABI pair (6.1.192-3), named exactly: linux-headers-amd64 follows the newest ABI',
    manual: 'Fedora has no Debian kernel headers: skip the kernel tier there, or unpack the Debian package (dpkg-deb -x)',
  },
  {
    apt: 'chromium',
    dnf: 'chromium',
    bins: ['chromium'],
    tiers: KERNEL,
    why: 'the matrix HTML report in headless Chromium (KPLAY_CHROMIUM overrides the path)',
  },
  {
    apt: 'qemu-system-x86',
    dnf: 'qemu-system-x86-core',
    bins: ['qemu-system-x86_64'],
    tiers: KERNEL,
    why: 'kplay try --boot boots the smoke kernel',
  },
  {
    apt: 'busybox-static',
    dnf: 'busybox',
    files: ['/bin/busybox'],
    tiers: ALL,
    why: 'the initramfs of kplay try --boot (a static busybox)',
  },
  { apt: 'ccache', dnf: 'ccache', bins: ['ccache'], tiers: KERNEL, why: 'kplay try builds the kernel through ccache when it is there' },
  {
    apt: 'linux-source-6.1',
    dnf: null,
    files: ['/usr/src/linux-source-6.1.tar.xz'],
    tiers: ALL,
    why: 'the real Linux 6.1 tree the kernel tier compares with',
    manual: NO_FEDORA_TARBALL,
  },
  {
    apt: 'linux-source-6.12',
    dnf: null,
    files: ['/usr/src/linux-source-6.12.tar.xz'],
    tiers: KERNEL,
    why: 'the real Linux 6.12 tree the kernel tier compares with',
    manual: NO_FEDORA_TARBALL,
  },
  {
    apt: 'linux-config-6.1',
    dnf: null,
    files: ['/usr/src/linux-config-6.1/config.amd64_none_amd64.xz'],
    tiers: KERNEL,
    why: "Debian's 6.1 kernel config, a Kconfig differential input",
    manual: NO_FEDORA_TARBALL,
  },
  {
    apt: 'linux-config-6.12',
    dnf: null,
    files: ['/usr/src/linux-config-6.12/config.amd64_none_amd64.xz'],
    tiers: KERNEL,
    why: "Debian's 6.12 kernel config, a Kconfig differential input",
    manual: NO_FEDORA_TARBALL,
  },
];

export const TIERS = /** @type {Tier[]} */ (['unit', 'integration', 'security', 'kernel']);
