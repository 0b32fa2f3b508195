import { execa } from 'execa';
import { readFile, readdir, rm, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspectAppendedSignature } from '../../src/signing/sign-module.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSrpm } from '../../src/rpm/build-srpm.js';
import { makeFixtureRepo, variantYaml } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { selfSignedCert } from '../support/test-rpm.js';

/**
 * `signing:` in a vanilla variant: the SIG certificate becomes a Source and the kernel's trusted
 * keys, the spec signs at build time only when the builder defines kplay_sign_key, and no key
 * byte reaches out/ or the SRPM.
 */
let root: string;
let keyPem: string;
let keyLines: string[];

beforeAll(async () => {
  const keys = await mkdtemp(path.join(os.tmpdir(), 'kplay-signing-keys-'));
  await selfSignedCert('kplay spec test', path.join(keys, 'k.pem'), path.join(keys, 'c.pem'));
  keyPem = await readFile(path.join(keys, 'k.pem'), 'utf8');
  keyLines = keyPem.split('\n').filter((l) => l.length >= 40);
  const cert = await readFile(path.join(keys, 'c.pem'), 'utf8');
  await rm(keys, { recursive: true, force: true });
  root = await makeFixtureRepo({
    'variants/signed.yml': variantYaml({ name: 'signed', extra: 'signing:\n  certificate: keys/sig.crt.pem\n  hash: sha512\n' }).replace(
      'arches: [x86_64]',
      'arches: [x86_64, aarch64]',
    ),
    'variants/keys/sig.crt.pem': cert,
    'variants/leaky.yml': variantYaml({ name: 'leaky', extra: 'signing:\n  certificate: keys/leaky.pem\n' }),
    'variants/keys/leaky.pem': keyPem + cert,
    'variants/outside.yml': variantYaml({ name: 'outside', extra: 'signing:\n  certificate: ../../sig.crt.pem\n' }),
    'features/.keep': '',
  });
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function rpmspecP(spec: string, defines: string[] = [], target = 'x86_64'): Promise<string> {
  const args = ['-P', '--target', target, ...defines.flatMap((d) => ['--define', d]), spec];
  return (await execa('rpmspec', args)).stdout;
}

describe('signing: in a kernel variant', () => {
  it('ships the certificate as Source2 and trusts it; signs at build time only with --define kplay_sign_key', async () => {
    const r = await runKplay(['compose', 'variants/signed.yml'], { cwd: root });
    expect(r.stderr).toMatch(/0 errors/);
    expect(r.exitCode).toBe(0);
    const out = path.join(root, 'out', 'signed');
    const spec = path.join(out, 'kernel-signed.spec');
    const text = await readFile(spec, 'utf8');
    expect(text).toContain('Source2:        kplay-signing.crt.pem');
    expect(await readFile(path.join(out, 'kplay-signing.crt.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const plain = await rpmspecP(spec);
    expect(plain).toContain('CONFIG_SYSTEM_TRUSTED_KEYS="certs/kplay-signing.pem"');
    expect(plain).toContain('CONFIG_MODULE_SIG_SHA512=y');
    // modules: always the per-build key the kernel makes (certs/signing_key.pem), never the SIG key
    expect(plain).toContain('CONFIG_MODULE_SIG_ALL=y\nCONFIG_MODULE_SIG_KEY="certs/signing_key.pem"\n');
    expect(plain).toContain('rm -f certs/signing_key.pem certs/signing_key.x509\n');
    expect(plain).toContain('bash /');
    expect(plain).not.toMatch(/sbsign|pesign|BuildRequires: sbsigntools|kplay_sign_key/);
    expect(plain.indexOf('modules_install')).toBeLessThan(plain.indexOf('rm -f certs/signing_key.pem\n'));

    const keyed = await rpmspecP(spec, ['kplay_sign_key /srv/keys/sig.key.pem']);
    expect(keyed).not.toContain('/srv/keys/sig.key.pem" >> kplay-signing.config');
    expect(keyed).toContain('CONFIG_MODULE_SIG_KEY="certs/signing_key.pem"');
    expect(keyed).toContain('sbsign --key /srv/keys/sig.key.pem --cert /srv/keys/sig.key.pem --output kplay-vmlinuz.signed $tosign');
    expect(keyed).toContain('aarch64) tosign=arch/arm64/boot/Image ;;');
    expect(keyed).toContain('aarch64) gzip -n -9 -c kplay-vmlinuz.signed > $moddir/vmlinuz ;;');
    expect(keyed).toMatch(/^BuildRequires:\s+sbsigntools$/m);
    // the check of the signing options runs after olddefconfig, the image is signed after it is installed
    expect(keyed.indexOf('make ARCH=$karch olddefconfig')).toBeLessThan(keyed.indexOf('kplay-signing.config .config'));
    expect(keyed.indexOf('install -m 0755 $image $moddir/vmlinuz')).toBeLessThan(keyed.indexOf('sbsign --key'));
    const viaPesign = await rpmspecP(spec, ['kplay_sign_key /srv/keys/sig.key.pem', 'kplay_sign_tool pesign']);
    expect(viaPesign).toMatch(/^BuildRequires:\s+pesign nss-tools openssl$/m);
    expect(viaPesign).not.toContain('sbsign');
    const nssDb = await rpmspecP(spec, ['kplay_pesign_name SIG Secure Boot']);
    expect(nssDb).toContain("pesign --certdir /etc/pki/pesign -c 'SIG Secure Boot' -s -i $tosign -o kplay-vmlinuz.signed --force");
    expect(nssDb).toMatch(/^BuildRequires:\s+pesign$/m);
  });

  it('signs the EFI image with sbsign, pesign from a key pair, and pesign from an NSS database: sbverify and pesign -S accept it', async () => {
    const spec = path.join(root, 'out', 'signed', 'kernel-signed.spec');
    const keys = await mkdtemp(path.join(os.tmpdir(), 'kplay-signing-build-'));
    try {
      await selfSignedCert('kplay build SIG', path.join(keys, 'k.pem'), path.join(keys, 'c.pem'));
      const pair = path.join(keys, 'sig.key.pem');
      await writeFile(pair, (await readFile(path.join(keys, 'k.pem'), 'utf8')) + (await readFile(path.join(keys, 'c.pem'), 'utf8')));
      // the builder's NSS database (what Fedora's pesign-rpmbuild-helper signs from)
      const nss = path.join(keys, 'nss');
      await execa('mkdir', [nss]);
      await execa('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
      await execa('openssl', [
        'pkcs12',
        '-export',
        '-inkey',
        pair,
        '-in',
        pair,
        '-name',
        'kplay SIG',
        '-passout',
        'pass:',
        '-out',
        `${keys}/p.p12`,
      ]);
      await execa('pk12util', ['-i', `${keys}/p.p12`, '-d', `sql:${nss}`, '-W', '']);
      const modes: Array<[string, string[]]> = [
        ['sbsign', [`kplay_sign_key ${pair}`]],
        ['pesign, key pair', [`kplay_sign_key ${pair}`, 'kplay_sign_tool pesign']],
        ['pesign, NSS database', ['kplay_pesign_name kplay SIG', `kplay_pesign_certdir sql:${nss}`]],
      ];
      for (const target of ['x86_64', 'aarch64']) {
        for (const [mode, defines] of modes) {
          const expanded = await rpmspecP(spec, defines, target);
          const begin = expanded.indexOf('# --- kplay signing: the EFI image for shim ---');
          const end = expanded.indexOf('# --- end kplay signing: the EFI image ---');
          expect(begin, mode).toBeGreaterThan(0);
          // the %install fragment as rpmbuild runs it (sh -e), on the systemd-boot EFI stub
          const build = path.join(keys, `build-${target}-${mode.replace(/\W+/g, '-')}`);
          await execa('mkdir', ['-p', `${build}/arch/arm64/boot`, `${build}/root`]);
          await execa('cp', ['/usr/lib/systemd/boot/efi/linuxx64.efi.stub', `${build}/arch/arm64/boot/Image`]);
          await execa('cp', ['/usr/lib/systemd/boot/efi/linuxx64.efi.stub', `${build}/bzImage`]);
          const script = `image=bzImage\nmoddir=root\n${expanded.slice(begin, end)}`;
          await execa('bash', ['-e', '-c', script], { cwd: build });
          let signed = path.join(build, 'root', 'vmlinuz');
          if (target === 'aarch64') {
            const plain = await execa('gzip', ['-d', '-c', signed], { encoding: 'buffer', stripFinalNewline: false });
            signed = path.join(build, 'Image.signed');
            await writeFile(signed, plain.stdout);
          }
          const sb = await execa('sbverify', ['--cert', path.join(keys, 'c.pem'), signed], { reject: false });
          expect(sb.exitCode, `${target} ${mode}: ${sb.stderr}`).toBe(0);
          const pe = await execa('pesign', ['-S', '-i', signed]);
          expect(pe.stdout, `${target} ${mode}`).toContain("The signer's common name is kplay build SIG");
          expect(pe.stdout.match(/The signer's common name/g)).toHaveLength(1);
          // no throw-away NSS database or signed copy is left in the build folder
          expect((await readdir(build)).filter((f) => /kplay-/.test(f))).toEqual([]);
        }
      }
      // ppc64le and s390x: no EFI image; the kernel's sign-file appends a signature (Debian's, as the
      // build tree's scripts/sign-file), an ELF file stands in for the image; pesign cannot sign it
      const headers = (await readdir('/usr/src')).filter((d) => /^linux-headers-.*-amd64$/.test(d)).sort();
      expect(headers.length).toBeGreaterThan(0);
      for (const target of ['ppc64le', 's390x']) {
        for (const [mode, defines] of modes) {
          const expanded = await rpmspecP(spec, defines, target);
          const begin = expanded.indexOf('# --- kplay signing: the EFI image for shim ---');
          const end = expanded.indexOf('# --- end kplay signing: the EFI image ---');
          expect(begin, `${target} ${mode}`).toBeGreaterThan(0);
          const build = path.join(keys, `build-${target}-${mode.replace(/\W+/g, '-')}`);
          await execa('mkdir', ['-p', `${build}/scripts`, `${build}/root`]);
          await execa('cp', [path.join('/usr/src', headers[headers.length - 1]!, 'scripts', 'sign-file'), `${build}/scripts/sign-file`]);
          await execa('cp', ['/bin/true', `${build}/root/vmlinuz`]);
          const r = await execa('bash', ['-e', '-c', `image=vmlinux\nmoddir=root\n${expanded.slice(begin, end)}`], {
            cwd: build,
            reject: false,
          });
          if (mode.startsWith('pesign, NSS')) {
            expect(r.exitCode, `${target} ${mode}`).toBe(1);
            expect(r.stderr).toContain(`a ${target} image is no EFI image and pesign cannot sign it; define kplay_sign_key`);
            continue;
          }
          expect(r.exitCode, `${target} ${mode}: ${r.stderr}`).toBe(0);
          const report = await inspectAppendedSignature(await readFile(path.join(build, 'root', 'vmlinuz')), path.join(keys, 'c.pem'));
          expect(report, `${target} ${mode}`).toMatchObject({ signed: true, validWith: true, signer: { signer: 'kplay build SIG' } });
        }
      }
    } finally {
      await rm(keys, { recursive: true, force: true });
    }
  });

  it('puts no key byte into out/ or the SRPM', async () => {
    const out = path.join(root, 'out', 'signed');
    await writeFile(path.join(out, 'linux-6.1.192.tar.xz'), '');
    const srpmDir = await mkdtemp(path.join(os.tmpdir(), 'kplay-signing-srpm-'));
    try {
      const srpm = await buildSrpm({ specFile: path.join(out, 'kernel-signed.spec'), sourceDir: out, outDir: srpmDir });
      const listed = (await execa('rpm', ['-qpl', srpm])).stdout.split('\n');
      expect(listed).toContain('kplay-signing.crt.pem');
      const unpack = path.join(srpmDir, 'x');
      await execa('mkdir', [unpack]);
      await execa('sh', ['-c', `rpm2cpio "${srpm}" | cpio -idm --quiet`], { cwd: unpack });
      const blobs = [await readFile(srpm)];
      for (const d of [out, unpack]) for (const f of await readdir(d)) blobs.push(await readFile(path.join(d, f)));
      for (const b of blobs) {
        expect(b.includes('PRIVATE KEY')).toBe(false);
        for (const l of keyLines) expect(b.includes(l)).toBe(false);
      }
    } finally {
      await rm(srpmDir, { recursive: true, force: true });
    }
  });

  it('refuses a certificate file holding a private key, and one outside the variant folder, with a located error', async () => {
    const leaky = await runKplay(['compose', 'variants/leaky.yml'], { cwd: root });
    expect(leaky.exitCode).toBe(2);
    expect(leaky.stderr).toMatch(/variants\/leaky\.yml:\d+:\d+: error E_SIGNING_CERTIFICATE: .*holds a private key/);
    for (const l of keyLines) expect(leaky.stderr + leaky.stdout).not.toContain(l);
    const outside = await runKplay(['compose', 'variants/outside.yml'], { cwd: root });
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toMatch(/variants\/outside\.yml:\d+:\d+: error E_PATH_ESCAPE: signing certificate/);
  });
});
