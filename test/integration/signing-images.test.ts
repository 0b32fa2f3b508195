import { execa } from 'execa';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeHmac } from '../../src/signing/kernel-image.js';
import { extractedKernelTree } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { selfSignedCert } from '../support/test-rpm.js';

/**
 * Kernel images on every arch: an aarch64 kernel RPM ships `Image.gz` (a gzipped PE with the EFI
 * stub) as `vmlinuz`. kplay sign decompresses, removes the old signature, signs and gzips again;
 * the FIPS `.vmlinuz.hmac` is made again. Checked with the independent tools: gzip -d, sbverify,
 * openssl dgst -hmac.
 */
const EFI_STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';
const KVER = '6.12.0-1.kplay.aarch64';
// libkcapi's sha512hmac key (fipscheck's), what Fedora/RHEL's kernel.spec hmac files are made with
const FIPS_KEY = 'orboDeJITITejsirpADONivirpUkvarP';

let work: string;

async function openSslHmac(file: string): Promise<string> {
  const out = (await execa('openssl', ['dgst', '-sha512', '-hmac', FIPS_KEY, '-r', file])).stdout;
  return out.split(' ')[0]!;
}

async function gunzipTool(file: string, to: string): Promise<void> {
  const r = await execa('gzip', ['-d', '-c', file], { encoding: 'buffer', stripFinalNewline: false });
  await writeFile(to, r.stdout);
}

const SPEC = `Name: kernel-armtest
Version: 6.12.0
Release: 1.kplay
Summary: aarch64 kernel-shaped package
License: GPL-2.0-only
%global debug_package %{nil}
%global __os_install_post %{nil}
%description
Kernel-shaped test package with a gzipped PE image.
%package core
Summary: The image
%description core
Image.gz as vmlinuz, and its FIPS hmac.
%install
d=%{buildroot}/lib/modules/${KVER}
mkdir -p $d
install -m 0755 %{_sourcedir}/vmlinuz $d/vmlinuz
install -m 0644 %{_sourcedir}/vmlinuz.hmac $d/.vmlinuz.hmac
%files core
%dir /lib/modules/${KVER}
/lib/modules/${KVER}/vmlinuz
/lib/modules/${KVER}/.vmlinuz.hmac
`;

beforeAll(async () => {
  for (const tool of [EFI_STUB, '/usr/bin/sbsign', '/usr/bin/sbattach', '/usr/bin/rpmbuild'])
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install systemd-boot-efi sbsigntool rpm`);
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-sign-images-'));
  await selfSignedCert('kplay new SIG', path.join(work, 'new.key'), path.join(work, 'new.crt'));
  await selfSignedCert('kplay old SIG', path.join(work, 'old.key'), path.join(work, 'old.crt'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kplay sign: a gzipped PE image (aarch64 Image.gz)', () => {
  it('signs the decompressed image, replaces the old signature, gzips again and makes the hmac again', async () => {
    const src = path.join(work, 'src');
    await mkdir(src);
    // the image as an earlier signer left it: signed with the old key, then gzipped
    await execa('sbsign', [
      '--key',
      path.join(work, 'old.key'),
      '--cert',
      path.join(work, 'old.crt'),
      '--output',
      path.join(src, 'plain'),
      EFI_STUB,
    ]);
    await writeFile(path.join(src, 'vmlinuz'), gzipSync(await readFile(path.join(src, 'plain')), { level: 9 }));
    await writeFile(path.join(src, 'vmlinuz.hmac'), `${await openSslHmac(path.join(src, 'vmlinuz'))}  vmlinuz-${KVER}\n`);
    await writeFile(path.join(work, 'k.spec'), SPEC);
    await execa('rpmbuild', [
      '-bb',
      '--quiet',
      '--target',
      'aarch64',
      '--define',
      `_topdir ${work}/top`,
      '--define',
      `_sourcedir ${src}`,
      '--define',
      `_rpmdir ${work}/rpms`,
      path.join(work, 'k.spec'),
    ]);
    const input = path.join(work, 'rpms', 'aarch64', 'kernel-armtest-core-6.12.0-1.kplay.aarch64.rpm');

    const before = await runKplay(['sign', '--verify', '--cert', 'new.crt', input], { cwd: work });
    expect(before.exitCode).toBe(1);
    expect(before.stdout).toContain(
      `/lib/modules/${KVER}/vmlinuz (gzipped PE, checked decompressed): signed by '/CN=kplay old SIG', does NOT verify with the certificate`,
    );

    const r = await runKplay(['sign', '--key', 'new.key', '--cert', 'new.crt', '--out', 'signed', input], { cwd: work });
    expect(r.stderr).toBe(
      `${path.relative(work, input)}: note N_SIGN_HMAC_UPDATED: ${path.relative(work, input)}:/lib/modules/${KVER}/vmlinuz: .vmlinuz.hmac made again for the signed image (same HMAC key and file name)`,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      'kernel-armtest-core-6.12.0-1.kplay.aarch64.rpm: 1 image(s), 0 module(s) signed (1 replaced an earlier signature)',
    );
    const output = path.join(work, 'signed', path.basename(input));

    const v = await runKplay(['sign', '--verify', '--cert', 'new.crt', '--json', output], { cwd: work });
    expect(v.exitCode).toBe(0);
    const entries = (JSON.parse(v.stdout) as { files: Array<{ entries: unknown[] }> }).files[0]!.entries;
    expect(entries).toEqual([
      {
        path: `/lib/modules/${KVER}/vmlinuz`,
        kind: 'image',
        signed: true,
        signers: ['/CN=kplay new SIG'],
        form: 'gzip-pe',
        validWith: true,
      },
    ]);

    // the independent tools on the unpacked payload
    const un = path.join(work, 'unpacked');
    await mkdir(un);
    await execa('sh', ['-c', `rpm2cpio "${output}" | cpio -idm --quiet`], { cwd: un });
    const vmlinuz = path.join(un, 'lib/modules', KVER, 'vmlinuz');
    const plain = path.join(work, 'Image');
    await gunzipTool(vmlinuz, plain);
    expect((await execa('sbverify', ['--cert', path.join(work, 'new.crt'), plain], { reject: false })).exitCode).toBe(0);
    // replaced, not appended: the old key no longer verifies it and one signature is listed
    expect((await execa('sbverify', ['--cert', path.join(work, 'old.crt'), plain], { reject: false })).exitCode).not.toBe(0);
    expect((await execa('sbverify', ['--list', plain])).stdout.match(/^signature \d+$/gm)).toEqual(['signature 1']);
    // the hmac matches the signed, gzipped file and keeps its file name
    expect(await readFile(path.join(un, 'lib/modules', KVER, '.vmlinuz.hmac'), 'utf8')).toBe(
      `${await openSslHmac(vmlinuz)}  vmlinuz-${KVER}\n`,
    );
  });

  it('lists an unsigned gzipped image and fails; a non-EFI image is listed and is no failure', async () => {
    const dir = path.join(work, 'single');
    await mkdir(dir);
    await writeFile(path.join(dir, 'vmlinuz'), gzipSync(await readFile(EFI_STUB)));
    const r = await runKplay(['sign', '--verify', 'single/vmlinuz'], { cwd: work });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('image  /vmlinuz (gzipped PE, checked decompressed): UNSIGNED');

    const elf = path.join(work, 'elf');
    await mkdir(elf);
    await copyFile('/bin/true', path.join(elf, 'vmlinuz'));
    const e = await runKplay(['sign', '--verify', 'elf/vmlinuz'], { cwd: work });
    expect(e.stdout).toContain('image  /vmlinuz: not an EFI image (no Authenticode signature applies)');
    expect(e.exitCode).toBe(0);
  });

  it('makes an hmac again only when it matched the unsigned bytes with a known key', () => {
    const a = Buffer.from('unsigned');
    const b = Buffer.from('signed');
    const hmac = (k: string, d: Buffer) => createHmac('sha512', k).update(d).digest('hex');
    expect(recomputeHmac(`${hmac(FIPS_KEY, a)}  vmlinuz-x\n`, a, b)).toBe(`${hmac(FIPS_KEY, b)}  vmlinuz-x\n`);
    expect(recomputeHmac(`${hmac('FIPS-FTW-RHT2009', a)}  vmlinuz-x\n`, a, b)).toBe(`${hmac('FIPS-FTW-RHT2009', b)}  vmlinuz-x\n`);
    expect(recomputeHmac(`${hmac('another key', a)}  vmlinuz-x\n`, a, b)).toBeUndefined();
    expect(recomputeHmac(`${hmac(FIPS_KEY, b)}  vmlinuz-x\n`, a, b)).toBeUndefined();
    expect(recomputeHmac('not an hmac', a, b)).toBeUndefined();
  });
});

describe('kplay sign: a ppc64le / s390x image (no EFI image: an appended signature, as RHEL signs them)', () => {
  it('signs with the kernel module signature format, lists it, replaces it when signing again; the kernel tools and openssl read it', async () => {
    // a stand-in for vmlinux: an ELF file (no PE header), what kplay sees of a ppc64le image
    const src = path.join(work, 'ppc-src');
    await mkdir(src);
    await copyFile('/bin/true', path.join(src, 'vmlinuz'));
    await writeFile(path.join(src, 'vmlinuz.hmac'), `${await openSslHmac(path.join(src, 'vmlinuz'))}  vmlinuz-6.12.0-1.kplay.ppc64le\n`);
    const spec = SPEC.replaceAll(KVER, '6.12.0-1.kplay.ppc64le').replace('Name: kernel-armtest', 'Name: kernel-ppctest');
    await writeFile(path.join(work, 'ppc.spec'), spec);
    const build = (target: string) =>
      execa('rpmbuild', [
        '-bb',
        '--quiet',
        '--target',
        target,
        '--define',
        `_topdir ${work}/ppc-top`,
        '--define',
        `_sourcedir ${src}`,
        '--define',
        `_rpmdir ${work}/ppc-rpms`,
        path.join(work, 'ppc.spec'),
      ]);
    await build('ppc64le');
    const input = path.join(work, 'ppc-rpms', 'ppc64le', 'kernel-ppctest-core-6.12.0-1.kplay.ppc64le.rpm');
    const image = '/lib/modules/6.12.0-1.kplay.ppc64le/vmlinuz';

    const before = await runKplay(['sign', '--verify', input], { cwd: work });
    expect(before.stdout).toContain(`image  ${image} (appended signature, ppc64le/s390x): UNSIGNED`);
    expect(before.exitCode).toBe(1);

    const signOnce = async (keyName: string, out: string, rpm: string) => {
      const r = await runKplay(['sign', '--key', `${keyName}.key`, '--cert', `${keyName}.crt`, '--out', out, rpm], { cwd: work });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('note N_SIGN_HMAC_UPDATED');
      return { r, output: path.join(work, out, path.basename(rpm)) };
    };
    const first = await signOnce('old', 'ppc-old', input);
    expect(first.r.stdout).toMatch(/: 1 image\(s\), 0 module\(s\) signed$/m);
    const second = await signOnce('new', 'ppc-new', first.output);
    expect(second.r.stdout).toContain('1 image(s), 0 module(s) signed (1 replaced an earlier signature)');

    const v = await runKplay(['sign', '--verify', '--cert', 'new.crt', '--json', second.output], { cwd: work });
    expect(v.exitCode, v.stdout).toBe(0);
    const entries = (JSON.parse(v.stdout) as { files: Array<{ entries: Array<Record<string, unknown>> }> }).files[0]!.entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      path: image,
      kind: 'image',
      signed: true,
      signers: ['kplay new SIG'],
      form: 'appended',
      validWith: true,
    });
    const old = await runKplay(['sign', '--verify', '--cert', 'old.crt', second.output], { cwd: work });
    expect(old.exitCode).toBe(1);
    expect(old.stdout).toContain('does NOT verify with the certificate');

    // independent: the kernel's extract-module-sig.pl splits it, openssl cms verifies the split
    const un = path.join(work, 'ppc-unpacked');
    await mkdir(un);
    await execa('sh', ['-c', `rpm2cpio "${second.output}" | cpio -idm --quiet`], { cwd: un });
    const vmlinuz = path.join(un, image);
    const tree = await extractedKernelTree();
    const pl = path.join(tree, 'scripts', 'extract-module-sig.pl');
    const sig = await execa('perl', [pl, '-s', vmlinuz], { encoding: 'buffer', stripFinalNewline: false });
    const body = await execa('perl', [pl, '-0', vmlinuz], { encoding: 'buffer', stripFinalNewline: false });
    await writeFile(path.join(work, 'ppc.p7s'), Buffer.from(sig.stdout));
    await writeFile(path.join(work, 'ppc.body'), Buffer.from(body.stdout));
    // one signature: what is left without it is the original image
    expect(Buffer.from(body.stdout).equals(await readFile('/bin/true'))).toBe(true);
    const cms = (cert: string) =>
      execa(
        'openssl',
        [
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          'ppc.p7s',
          '-content',
          'ppc.body',
          '-certfile',
          cert,
          '-nointern',
          '-noverify',
          '-out',
          '/dev/null',
        ],
        { cwd: work, reject: false },
      );
    expect((await cms('new.crt')).exitCode).toBe(0);
    expect((await cms('old.crt')).exitCode).not.toBe(0);
    // the FIPS hmac follows the signed image
    expect(await readFile(path.join(un, '/lib/modules/6.12.0-1.kplay.ppc64le/.vmlinuz.hmac'), 'utf8')).toBe(
      `${await openSslHmac(vmlinuz)}  vmlinuz-6.12.0-1.kplay.ppc64le\n`,
    );

    // s390x takes the same path; another arch's non-EFI image stays a note, not signed
    await build('s390x');
    const s390 = await runKplay(['sign', '--verify', path.join('ppc-rpms', 's390x', 'kernel-ppctest-core-6.12.0-1.kplay.s390x.rpm')], {
      cwd: work,
    });
    expect(s390.stdout).toContain('(appended signature, ppc64le/s390x): UNSIGNED');
    expect(s390.exitCode).toBe(1);
    await build('x86_64');
    const x86 = path.join('ppc-rpms', 'x86_64', 'kernel-ppctest-core-6.12.0-1.kplay.x86_64.rpm');
    const notPe = await runKplay(['sign', '--key', 'new.key', '--cert', 'new.crt', '--out', 'x86-out', x86], { cwd: work });
    expect(notPe.stderr).toMatch(/note N_SIGN_IMAGE_NOT_PE: .*and the package is x86_64: left unsigned/);
    expect((await runKplay(['sign', '--verify', x86], { cwd: work })).exitCode).toBe(0);
  }, 120_000);
});
