import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPeImage, inspectPeImage } from '../../src/signing/pe-image.js';
import { signModuleFile, inspectModule } from '../../src/signing/sign-module.js';
import { splitModuleSignature } from '../../src/signing/module-signature.js';
import { extractedKernelTree } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { selfSignedCert } from '../support/test-rpm.js';

/**
 * Secure Boot and module signing on real binaries from Debian packages: the systemd-boot EFI stub
 * (systemd-boot-efi), a module built against linux-headers-amd64, the kernel's own sign-file and
 * extract-module-sig.pl, and a kernel-shaped RPM built here with rpmbuild.
 */
const EFI_STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

function need(tool: string, debian: string): void {
  if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install ${debian}`);
}

async function headersDir(): Promise<string> {
  const dirs = (await readdir('/usr/src')).filter((d) => /^linux-headers-.*-amd64$/.test(d)).sort();
  if (!dirs.length) throw new Error('no /usr/src/linux-headers-*-amd64: apt-get install linux-headers-amd64');
  return path.join('/usr/src', dirs[dirs.length - 1]!);
}

let work: string;
let keyFile: string;
let certFile: string;
let keyBody: string[];
const outputs: string[] = [];
let moduleKo: string;

async function kplay(args: string[]) {
  const r = await runKplay(args, { cwd: work });
  outputs.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  need(EFI_STUB, 'systemd-boot-efi');
  need('/usr/bin/sbsign', 'sbsigntool');
  need('/usr/bin/rpmbuild', 'rpm');
  need('/usr/sbin/modinfo', 'kmod');
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-signing-'));
  const r = await kplay([
    'keys',
    'new',
    '--dir',
    'keys',
    '--name',
    'sig',
    '--cn',
    'kplay test SIG',
    '--org',
    'kplay tests',
    '--days',
    '30',
  ]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  keyFile = path.join(work, 'keys', 'sig.key.pem');
  certFile = path.join(work, 'keys', 'sig.crt.pem');
  const keyPem = await readFile(keyFile, 'utf8');
  const body = keyPem.slice(keyPem.indexOf('PRIVATE KEY-----') + 16, keyPem.indexOf('-----END'));
  keyBody = body.split('\n').filter((l) => l.length >= 40);
  expect(keyBody.length).toBeGreaterThan(10);
  // a module built against Debian's headers (Module.symvers, modpost): ~5 s
  const mod = path.join(work, 'mod');
  await mkdir(mod);
  await writeFile(
    path.join(mod, 'kplaysig.c'),
    '#include <linux/module.h>\n#include <linux/init.h>\nstatic int __init kplaysig_init(void) { return 0; }\nstatic void __exit kplaysig_exit(void) { }\nmodule_init(kplaysig_init);\nmodule_exit(kplaysig_exit);\nMODULE_LICENSE("GPL");\nMODULE_DESCRIPTION("kplay signing test");\n',
  );
  await writeFile(path.join(mod, 'Kbuild'), 'obj-m := kplaysig.o\n');
  await execa('nice', ['make', '-s', '-C', await headersDir(), `M=${mod}`, 'modules']);
  moduleKo = path.join(mod, 'kplaysig.ko');
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kplay keys new', () => {
  it('writes the key 0600, a certificate with the kernel genkey extensions plus codeSigning, and the mokutil steps', async () => {
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const text = (await execa('openssl', ['x509', '-in', certFile, '-noout', '-text'])).stdout;
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage:\s+Digital Signature\n/);
    expect(text).toMatch(/Extended Key Usage:\s+Code Signing\n/);
    expect(text).not.toContain('1.3.6.1.4.1.2312.16.1.2'); // shim refuses module-only certs for images
    expect(text).toMatch(/Subject Key Identifier/);
    expect(outputs.join('')).toContain('mokutil --import keys/sig.der');
    expect(await readFile(certFile, 'utf8')).not.toMatch(/PRIVATE KEY/);
    // never overwrites a key
    const again = await kplay(['keys', 'new', '--dir', 'keys', '--name', 'sig']);
    // E_KEY_EXISTS (exit 1: the request is fine, the folder already holds a key of that name)
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/E_KEY_EXISTS/);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('warns when the private key lands inside a git repository', async () => {
    const repo = path.join(work, 'repo');
    await mkdir(repo);
    await execa('git', ['init', '-q'], { cwd: repo });
    const r = await runKplay(['keys', 'new', '--dir', 'keys', '--cn', 'in repo'], { cwd: repo });
    outputs.push(r.stdout, r.stderr);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^keys\/kplay-sig\.key\.pem: warning W_KEY_IN_REPOSITORY: /m);
  });
});

describe('kernel image (PE/COFF) signing', () => {
  it('signs the systemd-boot EFI stub with sbsign; sbverify --cert accepts it, another certificate does not', async () => {
    const img = path.join(work, 'vmlinuz.efi');
    await copyFile(EFI_STUB, img);
    expect((await inspectPeImage(img)).signatures).toEqual([]);
    await signPeImage(img, { key: keyFile, cert: certFile });
    const ok = await execa('sbverify', ['--cert', certFile, img], { reject: false });
    expect(ok.exitCode).toBe(0);
    const r = await inspectPeImage(img, certFile);
    expect(r.signatures.map((s) => s.subject)).toEqual(['/O=kplay tests/CN=kplay test SIG']);
    expect(r.validWith).toBe(true);
    const other = await execa('sbverify', ['--cert', '/etc/ssl/certs/ca-certificates.crt', img], { reject: false });
    expect(other.exitCode).not.toBe(0);
  });
});

describe("module signing (the kernel's sign-file format)", () => {
  it('is byte-identical to scripts/sign-file, and modinfo / extract-module-sig.pl read it', async () => {
    const ours = path.join(work, 'ours.ko');
    const theirs = path.join(work, 'theirs.ko');
    await copyFile(moduleKo, ours);
    await copyFile(moduleKo, theirs);
    const r = await signModuleFile(ours, { key: keyFile, cert: certFile, hash: 'sha256' });
    const signFile = path.join(await headersDir(), 'scripts', 'sign-file');
    await execa(signFile, ['sha256', keyFile, certFile, theirs]);
    expect((await readFile(ours)).equals(await readFile(theirs))).toBe(true);

    const serial = (await execa('openssl', ['x509', '-in', certFile, '-noout', '-serial'])).stdout
      .replace('serial=', '')
      .replace(/^(00)+/, '');
    const sigKey = (await execa('modinfo', ['-F', 'sig_key', ours])).stdout.trim();
    expect((await execa('modinfo', ['-F', 'signer', ours])).stdout.trim()).toBe('kplay test SIG');
    expect(sigKey.replace(/:/g, '')).toBe(serial.toUpperCase());
    expect((await execa('modinfo', ['-F', 'sig_hashalgo', ours])).stdout.trim()).toBe('sha256');
    expect(r.signer).toEqual({ signer: 'kplay test SIG', sigKey, hashAlgorithm: 'sha256' });

    const tree = await extractedKernelTree();
    const extracted = await execa('perl', [path.join(tree, 'scripts', 'extract-module-sig.pl'), '-s', ours], {
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    const split = splitModuleSignature(await readFile(ours));
    expect(Buffer.from(extracted.stdout).equals(split.signature!)).toBe(true);
    expect(String(Buffer.from(extracted.stderr))).toMatch(/Found PKCS#7\/CMS encapsulation/);
    const body = await execa('perl', [path.join(tree, 'scripts', 'extract-module-sig.pl'), '-0', ours], {
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    expect(Buffer.from(body.stdout).equals(await readFile(moduleKo))).toBe(true);

    // signing again replaces the signature instead of stacking a second one
    const again = await signModuleFile(ours, { key: keyFile, cert: certFile, hash: 'sha256' });
    expect(again.replaced?.signer).toBe('kplay test SIG');
    expect((await readFile(ours)).equals(await readFile(theirs))).toBe(true);
    expect((await inspectModule(ours, certFile)).validWith).toBe(true);
  });

  it('signs a .ko.xz before compressing it again, like modules_install', async () => {
    const xz = path.join(work, 'm.ko.xz');
    await writeFile(
      xz,
      (await execa('xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c', moduleKo], { encoding: 'buffer', stripFinalNewline: false })).stdout,
    );
    await signModuleFile(xz, { key: keyFile, cert: certFile, hash: 'sha256' });
    const plain = Buffer.from((await execa('xz', ['-d', '-c', xz], { encoding: 'buffer', stripFinalNewline: false })).stdout);
    expect(plain.subarray(plain.length - 28).toString('latin1')).toBe('~Module signature appended~\n');
    expect((await execa('modinfo', ['-F', 'signer', xz])).stdout.trim()).toBe('kplay test SIG');
  });
});

const KVER = '6.1.0-1.kplay.x86_64';
const KERNEL_SPEC = `Name: kernel-sigtest
Version: 6.1.0
Release: 1.kplay
Summary: kernel-shaped package for kplay sign
License: GPL-2.0-only
URL: https://www.kernel.org/
BuildArch: x86_64
%global debug_package %{nil}
%global __os_install_post %{nil}
%description
Kernel-shaped test package.
%package core
Summary: The kernel image and modules
Provides: kernel-uname-r = ${KVER}
Provides: installonlypkg(kernel)
Requires(pre): coreutils
Requires(posttrans): kmod
Requires: kernel-sigtest-modules = %{version}-%{release}
%description core
Image, config and modules; 100%% signed afterwards.
%package devel
Summary: Build files
%description devel
Nothing to sign in here.
%install
mkdir -p %{buildroot}/usr/src/kernels/${KVER}
echo 'obj-m :=' > %{buildroot}/usr/src/kernels/${KVER}/Makefile
d=%{buildroot}/lib/modules/${KVER}
mkdir -p $d/kernel/drivers/kplay
install -m 0755 %{_sourcedir}/vmlinuz $d/vmlinuz
install -m 0644 %{_sourcedir}/config $d/config
install -m 0644 %{_sourcedir}/a.ko.xz $d/kernel/drivers/kplay/a.ko.xz
install -m 0644 %{_sourcedir}/b.ko $d/kernel/drivers/kplay/b.ko
# stamped after BUILDTIME, as when %%install crosses a second: re-signing must keep it
touch -d '2030-01-01 00:00:00 UTC' $d/kernel/drivers/kplay/b.ko
%post core
echo "100%% done" >/dev/null
%posttrans core
/bin/kernel-install add ${KVER} /lib/modules/${KVER}/vmlinuz || exit $?
%preun core
/bin/kernel-install remove ${KVER} || exit $?
%files core
%dir /lib/modules/${KVER}
/lib/modules/${KVER}/vmlinuz
%config(noreplace) /lib/modules/${KVER}/config
/lib/modules/${KVER}/kernel
%ghost %attr(0600, root, root) /boot/initramfs-${KVER}.img
%files devel
/usr/src/kernels/${KVER}
%changelog
* Mon Nov 30 2026 kplay tests <kplay@example.org> - 6.1.0-1.kplay
- built for kplay sign
`;

async function rpmQuery(rpm: string, ...args: string[]): Promise<string> {
  return (await execa('rpm', ['-qp', '--nosignature', ...args, rpm])).stdout;
}

describe('kplay sign <rpm>', () => {
  it('re-signs a kernel-shaped RPM: image and modules signed, other files, scriptlets and dependencies unchanged', async () => {
    const src = path.join(work, 'rpmsrc');
    await mkdir(src);
    await copyFile(EFI_STUB, path.join(src, 'vmlinuz'));
    await writeFile(path.join(src, 'config'), 'CONFIG_MODULE_SIG=y\n');
    await writeFile(
      path.join(src, 'a.ko.xz'),
      (await execa('xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c', moduleKo], { encoding: 'buffer', stripFinalNewline: false })).stdout,
    );
    await copyFile(moduleKo, path.join(src, 'b.ko'));
    await writeFile(path.join(work, 'k.spec'), KERNEL_SPEC);
    await execa('rpmbuild', [
      '-bb',
      '--quiet',
      '--define',
      `_topdir ${work}/top`,
      '--define',
      `_sourcedir ${src}`,
      '--define',
      `_rpmdir ${work}/rpms`,
      path.join(work, 'k.spec'),
    ]);
    const input = path.join(work, 'rpms', 'x86_64', 'kernel-sigtest-core-6.1.0-1.kplay.x86_64.rpm');

    const before = await kplay(['sign', '--verify', '--cert', 'keys/sig.crt.pem', input]);
    expect(before.exitCode).toBe(1);
    expect(before.stdout).toMatch(/a\.ko\.xz: UNSIGNED/);

    const devel = path.join(work, 'rpms', 'x86_64', 'kernel-sigtest-devel-6.1.0-1.kplay.x86_64.rpm');
    const r = await kplay(['sign', '--key', 'keys/sig.key.pem', '--cert', 'keys/sig.crt.pem', '--out', 'signed', input, devel]);
    expect(r.stderr).toBe(`${path.relative(work, devel)}: note N_SIGN_NOTHING: no kernel image or module in this RPM: copied unchanged`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('kernel-sigtest-core-6.1.0-1.kplay.x86_64.rpm: 1 image(s), 2 module(s) signed');
    expect(r.stdout).toContain('kernel-sigtest-devel-6.1.0-1.kplay.x86_64.rpm: nothing to sign, copied');
    expect((await readFile(path.join(work, 'signed', path.basename(devel)))).equals(await readFile(devel))).toBe(true);
    const output = path.join(work, 'signed', path.basename(input));

    const v = await kplay(['sign', '--verify', '--cert', 'keys/sig.crt.pem', '--json', output]);
    expect(v.exitCode).toBe(0);
    const entries = (
      JSON.parse(v.stdout) as {
        files: Array<{ entries: Array<{ path: string; kind: string; signed: boolean; validWith: boolean; signers: string[] }> }>;
      }
    ).files[0]!.entries;
    expect(entries.map((e) => [e.path, e.kind, e.signed, e.validWith])).toEqual([
      [`/lib/modules/${KVER}/kernel/drivers/kplay/a.ko.xz`, 'module', true, true],
      [`/lib/modules/${KVER}/kernel/drivers/kplay/b.ko`, 'module', true, true],
      [`/lib/modules/${KVER}/vmlinuz`, 'image', true, true],
    ]);

    // the payload, checked with the Debian tools on the unpacked files
    const un = path.join(work, 'unpacked');
    await mkdir(un);
    await execa('sh', ['-c', `rpm2cpio "${output}" | cpio -idm --quiet`], { cwd: un });
    expect((await execa('sbverify', ['--cert', certFile, path.join(un, 'lib/modules', KVER, 'vmlinuz')], { reject: false })).exitCode).toBe(
      0,
    );
    expect(
      (await execa('modinfo', ['-F', 'signer', path.join(un, 'lib/modules', KVER, 'kernel/drivers/kplay/a.ko.xz')])).stdout.trim(),
    ).toBe('kplay test SIG');

    // everything else as it was
    for (const q of [
      ['--scripts'],
      ['--requires'],
      ['--provides'],
      ['--changelog'],
      [
        '--qf',
        '%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{SUMMARY} %{LICENSE} %{URL} %{SOURCERPM} %{BUILDTIME} %{BUILDHOST}\n%{DESCRIPTION}\n',
      ],
      ['--qf', '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILEMTIMES} %{FILENAMES}\n]'],
    ]) {
      // a %ghost file's mtime is rpmbuild's clock at build time, the one documented difference
      const withoutGhost = (t: string) => t.replace(/^(\S+ root root g )\d+ /m, '$1<ghost> ');
      expect(withoutGhost(await rpmQuery(output, ...q)), q.join(' ')).toBe(withoutGhost(await rpmQuery(input, ...q)));
    }
    const digests = async (rpm: string) => (await rpmQuery(rpm, '--qf', '[%{FILENAMES} %{FILEDIGESTS}\n]')).split('\n');
    const [a, b] = [await digests(input), await digests(output)];
    const changed = a.filter((line, i) => line !== b[i]).map((l) => l.split(' ')[0]);
    expect(changed).toEqual([
      `/lib/modules/${KVER}/kernel/drivers/kplay/a.ko.xz`,
      `/lib/modules/${KVER}/kernel/drivers/kplay/b.ko`,
      `/lib/modules/${KVER}/vmlinuz`,
    ]);
  });

  it('never puts key bytes into any output, log or package', async () => {
    const haystacks: Buffer[] = outputs.map((o) => Buffer.from(o));
    for (const dir of ['signed', 'unpacked']) {
      for (const e of await readdir(path.join(work, dir), { recursive: true, withFileTypes: true })) {
        if (e.isFile()) haystacks.push(await readFile(path.join(e.parentPath, e.name)));
      }
    }
    expect(haystacks.length).toBeGreaterThan(5);
    for (const h of haystacks) for (const line of keyBody) expect(h.includes(line)).toBe(false);
  });

  it('refuses a missing key or certificate and a source RPM with a usage error, not a trace', async () => {
    const noKey = await kplay(['sign', '--cert', 'keys/sig.crt.pem', 'k.spec']);
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stderr).toMatch(/needs --key and --cert/);
    const keyAsCert = await kplay([
      'sign',
      '--key',
      'keys/sig.key.pem',
      '--cert',
      'keys/sig.key.pem',
      path.join('rpms', 'x86_64', 'kernel-sigtest-core-6.1.0-1.kplay.x86_64.rpm'),
    ]);
    expect(keyAsCert.exitCode).toBe(2);
    expect(keyAsCert.stderr).toMatch(/holds a private key/);
    expect(keyAsCert.stderr).not.toMatch(/at .*\.js/);
    await selfSignedCert('other', path.join(work, 'other.key'), path.join(work, 'other.crt'));
    const mismatch = await kplay([
      'sign',
      '--key',
      'keys/sig.key.pem',
      '--cert',
      'other.crt',
      '--out',
      'mismatch',
      path.join('rpms', 'x86_64', 'kernel-sigtest-core-6.1.0-1.kplay.x86_64.rpm'),
    ]);
    expect(mismatch.exitCode).toBe(2);
    expect(mismatch.stderr).toBe('kplay: error: keys/sig.key.pem is not the private key of other.crt');
    expect(existsSync(path.join(work, 'mismatch'))).toBe(false);
  });
});
