import { execa } from 'execa';
import { readFile, readdir, rm, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
    'variants/signed.yml': variantYaml({ name: 'signed', extra: 'signing:\n  certificate: keys/sig.crt.pem\n  hash: sha512\n' }),
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

async function rpmspecP(spec: string, defines: string[] = []): Promise<string> {
  const args = ['-P', '--target', 'x86_64', ...defines.flatMap((d) => ['--define', d]), spec];
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
    expect(plain).toContain("echo '# CONFIG_MODULE_SIG_ALL is not set' >> kplay-signing.config");
    expect(plain).toContain('bash /');
    expect(plain).not.toMatch(/sbsign|MODULE_SIG_KEY|BuildRequires: sbsigntools/);

    const keyed = await rpmspecP(spec, ['kplay_sign_key /srv/keys/sig.key.pem']);
    expect(keyed).toContain(`echo 'CONFIG_MODULE_SIG_KEY="/srv/keys/sig.key.pem"' >> kplay-signing.config`);
    expect(keyed).toContain("echo 'CONFIG_MODULE_SIG_ALL=y' >> kplay-signing.config");
    expect(keyed).toContain(
      'x86_64|aarch64) sbsign --key /srv/keys/sig.key.pem --cert /srv/keys/sig.key.pem --output $moddir/vmlinuz $image ;;',
    );
    expect(keyed).toMatch(/^BuildRequires:\s+sbsigntools$/m);
    // the check of the signing options runs after olddefconfig, the image is signed after it is installed
    expect(keyed.indexOf('make ARCH=$karch olddefconfig')).toBeLessThan(keyed.indexOf('kplay-signing.config .config'));
    expect(keyed.indexOf('install -m 0755 $image $moddir/vmlinuz')).toBeLessThan(keyed.indexOf('sbsign --key'));
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
