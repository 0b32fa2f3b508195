import { execa } from 'execa';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModule } from '../../src/signing/sign-module.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { selfSignedCert } from '../support/test-rpm.js';

/**
 * `kplay kmm --sign-key/--sign-cert`: the driver image's modules are signed in the build stage.
 * The signing script kplay writes runs here on a module built against Debian's linux-headers with
 * that package's own scripts/sign-file (the kernel-devel sign-file of the Containerfile), as .ko,
 * .ko.xz, .ko.zst and .ko.gz; modinfo and kplay's PKCS#7 check read the signatures. build-images.sh
 * runs with a podman stub that records the secrets it is given.
 */
const KMOD_VARIANT = `name: kmod-wireguard
type: kmod
summary: WireGuard kernel module for CentOS Stream 9
kmod:
  kernel-version: "5.14.0-570.el9"
  source:
    url: https://sources.stream.centos.org/sources/rpms/kernel/linux-5.14.0-570.el9.tar.xz
    topdir: linux-5.14.0-570.el9
  modules:
    wireguard: [drivers/net/wireguard]
arches: [x86_64]
features:
  - wireguard
`;
const IMAGE = 'quay.io/example/wireguard-kmod';
const KERNEL = '5.14.0-570.12.1.el9_6.x86_64';

let work: string;
let root: string;
let key: string;
let cert: string;
let moduleKo: string;
let headers: string;

async function headersDir(): Promise<string> {
  const dirs = (await readdir('/usr/src')).filter((d) => /^linux-headers-.*-amd64$/.test(d)).sort();
  if (!dirs.length) throw new Error('no /usr/src/linux-headers-*-amd64: apt-get install linux-headers-amd64');
  return path.join('/usr/src', dirs[dirs.length - 1]!);
}

const kmm = (out: string, extra: string[]) =>
  runKplay(['kmm', 'variants/kmod-wireguard.yml', '--image', IMAGE, '--kernel', KERNEL, '--out', out, ...extra], { cwd: root });

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-kmm-sign-'));
  root = await makeFixtureRepo({
    'variants/kmod-wireguard.yml': KMOD_VARIANT,
    'features/wireguard/feature.yml': 'summary: WireGuard\nkernel: ">=5.6"\nconfig:\n  CONFIG_WIREGUARD: m\n',
  });
  key = path.join(work, 'sig.key.pem');
  cert = path.join(work, 'sig.crt.pem');
  await selfSignedCert('kplay KMM SIG', key, cert);
  headers = await headersDir();
  const mod = path.join(work, 'mod');
  await mkdir(mod);
  await writeFile(
    path.join(mod, 'kplaykmm.c'),
    '#include <linux/module.h>\n#include <linux/init.h>\nstatic int __init kplaykmm_init(void) { return 0; }\nstatic void __exit kplaykmm_exit(void) { }\nmodule_init(kplaykmm_init);\nmodule_exit(kplaykmm_exit);\nMODULE_LICENSE("GPL");\n',
  );
  await writeFile(path.join(mod, 'Kbuild'), 'obj-m := kplaykmm.o\n');
  await execa('nice', ['make', '-s', '-C', headers, `M=${mod}`, 'modules']);
  moduleKo = path.join(mod, 'kplaykmm.ko');
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  if (root) await rm(root, { recursive: true, force: true });
});

describe('kplay kmm: modules signed in the driver image', () => {
  it('adds the signing step with the key and certificate as build secrets; the key is never copied', async () => {
    const r = await kmm(path.join(work, 'signed'), ['--sign-key', key, '--sign-cert', cert]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('N_KMM_MODULES_UNSIGNED');
    const out = path.join(work, 'signed');
    const files = (await readdir(out)).filter((f) => !f.startsWith('.')).sort();
    expect(files).toContain('sign-modules.sh');
    const containerfile = await readFile(path.join(out, 'Containerfile'), 'utf8');
    const lines = containerfile.split('\n');
    const signLine = lines.findIndex((l) =>
      l.startsWith('RUN --mount=type=secret,id=kplay-sign-key --mount=type=secret,id=kplay-sign-cert '),
    );
    expect(signLine).toBeGreaterThan(0);
    expect(lines[signLine]).toContain(
      'bash /build/sign-modules.sh /usr/src/kernels/${KERNEL_FULL_VERSION}/scripts/sign-file /run/secrets/kplay-sign-key /run/secrets/kplay-sign-cert /build/root/lib/modules/${KERNEL_FULL_VERSION}',
    );
    // signed after the RPM contents are unpacked, before the final stage copies them
    expect(signLine).toBeGreaterThan(lines.findIndex((l) => l.includes('rpm2cpio')));
    expect(signLine).toBeLessThan(lines.findIndex((l) => l.startsWith('COPY --from=build')));
    expect(containerfile).toContain('COPY --from=kplay sign-modules.sh /build/sign-modules.sh');
    // no key material anywhere in the output
    const keyLines = (await readFile(key, 'utf8')).split('\n').filter((l) => l.length >= 40);
    for (const f of files) {
      const text = await readFile(path.join(out, f), 'utf8');
      expect(text).not.toMatch(/PRIVATE KEY/);
      for (const l of keyLines) expect(text.includes(l), f).toBe(false);
    }

    // build-images.sh hands podman the files as secrets (a stub podman records its arguments)
    const bin = path.join(work, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'podman'), '#!/bin/sh\nprintf "%s\\n" "$*" >> "$PODMAN_LOG"\n');
    await chmod(path.join(bin, 'podman'), 0o755);
    const log = path.join(work, 'podman.log');
    const env = { PATH: `${bin}:${process.env.PATH}`, PODMAN_LOG: log };
    const build = await execa('bash', [path.join(out, 'build-images.sh')], { cwd: work, env, reject: false });
    expect(build.exitCode, build.stderr).toBe(0);
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(calls[0]).toContain(
      `--build-context kplay=${out} --secret id=kplay-sign-key,src=${key} --secret id=kplay-sign-cert,src=${cert}`,
    );
    expect(calls[1]).toBe(`push ${IMAGE}:${KERNEL}`);
    // another machine: the files from the environment; a missing one stops before any build
    await rm(log);
    const other = path.join(work, 'other.key.pem');
    await copyFile(key, other);
    const viaEnv = await execa('bash', [path.join(out, 'build-images.sh')], { cwd: work, env: { ...env, KPLAY_SIGN_KEY: other } });
    expect(viaEnv.exitCode).toBe(0);
    expect(await readFile(log, 'utf8')).toContain(`--secret id=kplay-sign-key,src=${other} `);
    await rm(log);
    const missing = await execa('bash', [path.join(out, 'build-images.sh')], {
      cwd: work,
      env: { ...env, KPLAY_SIGN_CERT: path.join(work, 'nope.pem') },
      reject: false,
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('nope.pem is missing');
    await expect(readFile(log, 'utf8')).rejects.toThrow();
  });

  it("signs .ko, .ko.xz, .ko.zst and .ko.gz with the kernel's sign-file, keeping each compression; refuses a signed module and an empty folder", async () => {
    const script = path.join(work, 'signed', 'sign-modules.sh');
    const dir = path.join(work, 'tree', 'lib', 'modules', KERNEL);
    await mkdir(path.join(dir, 'extra', 'sub'), { recursive: true });
    const plain = await readFile(moduleKo);
    await writeFile(path.join(dir, 'extra', 'a.ko'), plain);
    const compress = async (cmd: string, args: string[]) =>
      Buffer.from((await execa(cmd, [...args, moduleKo], { encoding: 'buffer', stripFinalNewline: false })).stdout);
    await writeFile(path.join(dir, 'extra', 'b.ko.xz'), await compress('xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c']));
    await writeFile(path.join(dir, 'extra', 'sub', 'c.ko.zst'), await compress('zstd', ['-q', '-c']));
    await writeFile(path.join(dir, 'extra', 'd.ko.gz'), await compress('gzip', ['-n', '-c']));
    await writeFile(path.join(dir, 'modules.dep'), 'extra/a.ko:\n');
    const signFile = path.join(headers, 'scripts', 'sign-file');
    const r = await execa('bash', [script, signFile, key, cert, dir], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 module\(s\) signed/);
    const names = ['extra/a.ko', 'extra/b.ko.xz', 'extra/d.ko.gz', 'extra/sub/c.ko.zst'];
    expect(
      (await execa('find', [dir, '-type', 'f', '-name', '*.ko*'])).stdout
        .split('\n')
        .map((f) => path.relative(dir, f))
        .sort(),
    ).toEqual(names);
    const magic: Record<string, string> = { xz: 'fd377a585a00', zst: '28b52ffd', gz: '1f8b' };
    for (const n of names) {
      const file = path.join(dir, n);
      const ext = n.split('.').pop()!;
      if (magic[ext]) expect((await readFile(file)).subarray(0, magic[ext].length / 2).toString('hex'), n).toBe(magic[ext]);
      // Debian's modinfo reads no .ko.gz (kmod without zlib); kplay's reader does
      if (ext !== 'gz') expect((await execa('modinfo', ['-F', 'signer', file])).stdout.trim(), n).toBe('kplay KMM SIG');
      const report = await inspectModule(file, cert);
      expect(report.signed, n).toBe(true);
      expect(report.validWith, n).toBe(true);
      expect(report.signer?.signer, n).toBe('kplay KMM SIG');
    }
    // another certificate does not verify them
    const otherKey = path.join(work, 'o.key.pem');
    const otherCert = path.join(work, 'o.crt.pem');
    await selfSignedCert('someone else', otherKey, otherCert);
    expect((await inspectModule(path.join(dir, 'extra', 'a.ko'), otherCert)).validWith).toBe(false);

    const again = await execa('bash', [script, signFile, key, cert, dir], { reject: false });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/is signed already/);
    const empty = path.join(work, 'empty');
    await mkdir(empty);
    const none = await execa('bash', [script, signFile, key, cert, empty], { reject: false });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/no kernel modules under/);
  }, 60_000);

  it('without a key: a note that the modules are unsigned; half a pair or a key as the certificate: located errors, nothing written', async () => {
    const plain = await kmm(path.join(work, 'plain'), []);
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).toMatch(/note N_KMM_MODULES_UNSIGNED: the modules in the driver image are not signed/);
    expect(await readFile(path.join(work, 'plain', 'Containerfile'), 'utf8')).not.toContain('sign-modules.sh');
    expect((await readdir(path.join(work, 'plain'))).includes('sign-modules.sh')).toBe(false);

    const half = await kmm(path.join(work, 'bad'), ['--sign-key', key]);
    expect(half.exitCode).toBe(2);
    expect(half.stderr).toMatch(/^--sign-cert:1:1: error E_KMM_ARGUMENT: --sign-cert: give --sign-key and --sign-cert together/m);
    const swapped = await kmm(path.join(work, 'bad'), ['--sign-key', key, '--sign-cert', key]);
    expect(swapped.exitCode).toBe(2);
    expect(swapped.stderr).toMatch(/error E_KMM_ARGUMENT: --sign-cert: .* holds a private key/);
    expect(swapped.stderr + swapped.stdout).not.toMatch(/BEGIN|PRIVATE KEY-----/);
    const gone = await kmm(path.join(work, 'bad'), ['--sign-key', path.join(work, 'none.pem'), '--sign-cert', cert]);
    expect(gone.exitCode).toBe(2);
    expect(gone.stderr).toMatch(/error E_KMM_ARGUMENT: --sign-key: .*none\.pem is not a file/);
    expect((await readdir(work)).includes('bad')).toBe(false);
  });
});
