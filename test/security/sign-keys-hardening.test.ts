/**
 * `kplay sign` and `kplay keys new` on hostile payloads, folders and signals (issue 24): a module
 * that inflates past the cap, a malformed PKCS#7 block, a payload file hard-linked to a module,
 * a name already in --out (a file, a dangling link), a key folder that is a file, a dangling link
 * named like a key file, umask 000, two concurrent runs, and SIGINT/SIGTERM/SIGHUP at random
 * points. Each case: the exact finding code and exit status, a canary outside the work folder
 * that a write through a link would create, and a folder snapshot that must not change. ~25 s.
 */
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULE_SIG_MAGIC } from '../../src/signing/module-signature.js';
import { canaryFired, canaryPath, snapshotTree } from './support/hostile-repo.js';
import { KPLAY_BIN, runKplay } from '../support/run-kplay.js';
import { rpmbuildBinary } from '../support/test-rpm.js';

let work: string;
/** TMPDIR of every kplay run here: empty after each (no kplay-sign-*, kplay-keygen-* left). */
let tmp: string;
const canary = canaryPath('sign-keys');

const SPEC = (name: string, install: string, files: string[]) => `Name: ${name}
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%global debug_package %{nil}
%global __os_install_post %{nil}
%description
d
%install
mkdir -p %{buildroot}/lib/modules/k
cd %{buildroot}/lib/modules/k
${install}
%files
${files.map((f) => `/lib/modules/k/${f}`).join('\n')}
`;

const env = () => ({ TMPDIR: tmp, KPLAY_KEY_BITS: '2048' });
const sign = (out: string, rpm: string, extra: string[] = []) =>
  runKplay(['sign', '--key', 'k.pem', '--cert', 'c.pem', '--out', out, ...extra, rpm], { cwd: work, env: env() });

async function tmpLeftovers(): Promise<string[]> {
  return readdir(tmp);
}

let plain: string;
let bomb: string;
let badSig: string;
let hardLink: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'kplay-sign-keys-'));
  tmp = path.join(work, 'tmp');
  await mkdir(tmp);
  await mkdir(path.join(work, 'src'));
  await execa('openssl', [
    'req',
    '-new',
    '-x509',
    '-nodes',
    '-newkey',
    'rsa:2048',
    '-days',
    '2',
    '-subj',
    '/CN=kplay hardening',
    '-keyout',
    path.join(work, 'k.pem'),
    '-out',
    path.join(work, 'c.pem'),
  ]);
  // a module "signed" with a block whose PKCS#7 is garbage of a consistent length
  const junk = Buffer.from('this is not DER at all');
  const info = Buffer.alloc(12);
  info[2] = 2;
  info.writeUInt32BE(junk.length, 8);
  await writeFile(path.join(work, 'src', 'bad.ko'), Buffer.concat([Buffer.from('module body'), junk, info, MODULE_SIG_MAGIC]));
  // 200 MiB of zeros: a few KiB as zstd, past the 128 MiB cap once decompressed
  await execa('sh', ['-c', `head -c 209715200 /dev/zero | zstd -q -c > ${path.join(work, 'src', 'bomb.ko.zst')}`]);
  plain = await rpmbuildBinary(work, 'plain', SPEC('plain', 'echo one > a.ko; echo two > b.ko', ['a.ko', 'b.ko']));
  bomb = await rpmbuildBinary(work, 'bomb', SPEC('bomb', `cp ${work}/src/bomb.ko.zst .`, ['bomb.ko.zst']));
  badSig = await rpmbuildBinary(work, 'badsig', SPEC('badsig', `cp ${work}/src/bad.ko .`, ['bad.ko']));
  hardLink = await rpmbuildBinary(work, 'hardlink', SPEC('hardlink', 'echo module > m.ko; ln m.ko notes.txt', ['m.ko', 'notes.txt']));
  expect((await stat(bomb)).size).toBeLessThan(64 * 1024);
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await rm(canary, { force: true });
});

describe('kplay sign refuses what it cannot sign safely, writing nothing', () => {
  it.each([
    ['a .ko.zst that inflates past 128 MiB', () => bomb, /larger than 128 MiB once decompressed/],
    ['a module whose signature block holds no readable PKCS#7', () => badSig, /holds no readable PKCS#7/],
    ['a payload file hard-linked to a module', () => hardLink, /'\/lib\/modules\/k\/(m\.ko|notes\.txt)' is a hard link of/],
  ])('%s: E_SIGN_MODULE, exit 2, no --out, no temp folder', { timeout: 30_000 }, async (_name, rpm, message) => {
    const before = await snapshotTree(work);
    const r = await sign('refused', rpm());
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_SIGN_MODULE: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(existsSync(path.join(work, 'refused'))).toBe(false);
    expect(await tmpLeftovers()).toEqual([]);
    expect(await snapshotTree(work)).toEqual(before);
  });

  it('never replaces a file in --out, nor writes through a dangling link there (E_SIGN_OUT_EXISTS, exit 1); --force replaces the link itself', async () => {
    const out = path.join(work, 'out-exists');
    await mkdir(out);
    await symlink(canary, path.join(out, 'plain.rpm'));
    const before = await snapshotTree(work);
    const r = await sign('out-exists', plain);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/out-exists\/plain\.rpm: error E_SIGN_OUT_EXISTS: .* is already there/);
    expect(canaryFired(canary)).toBe(false);
    expect(await snapshotTree(work)).toEqual(before);
    expect(await tmpLeftovers()).toEqual([]);

    const forced = await sign('out-exists', plain, ['--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(canaryFired(canary)).toBe(false);
    const s = await stat(path.join(out, 'plain.rpm'));
    expect(s.isFile()).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['plain.rpm']);

    // a second run without --force: the signed file stays byte for byte
    const again = await snapshotTree(out);
    const second = await sign('out-exists', plain);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/E_SIGN_OUT_EXISTS/);
    expect(await snapshotTree(out)).toEqual(again);
  }, 60_000);

  it('SIGINT, SIGTERM or SIGHUP at a random point: no temp folder, and --out holds nothing or the complete RPM', async () => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (let i = 0; i < 4; i++) {
      const out = path.join(work, `sig-${i}`);
      const child = spawn(process.execPath, [KPLAY_BIN, 'sign', '--key', 'k.pem', '--cert', 'c.pem', '--out', out, plain], {
        cwd: work,
        env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 1200));
      child.kill(signals[i % 3]);
      const code = await exited;
      // a run that finished before the signal is fine; one stopped by it exits 128+n
      expect([0, 130, 143, 129, null]).toContain(code);
      await new Promise((r) => setTimeout(r, 300)); // orphaned rpmbuild/openssl, if any, end
      expect(await tmpLeftovers(), `after ${signals[i % 3]}`).toEqual([]);
      const left = existsSync(out) ? await readdir(out) : [];
      if (code === 0) expect(left).toEqual(['plain.rpm']);
      else expect(left).toEqual([]);
      if (left.length) await execa('rpm', ['-qp', '--nosignature', path.join(out, 'plain.rpm')]);
    }
  }, 60_000);
});

describe('kplay keys new leaves a complete, matching set or nothing', () => {
  const keys = (dir: string, extra: string[] = [], opts: { umask?: string } = {}) =>
    opts.umask
      ? execa(
          'sh',
          ['-c', `umask ${opts.umask}; exec "$@"`, 'sh', process.execPath, KPLAY_BIN, 'keys', 'new', '--dir', dir, '--days', '2', ...extra],
          {
            env: { ...env(), NO_COLOR: '1' },
            reject: false,
          },
        )
      : runKplay(['keys', 'new', '--dir', dir, '--days', '2', ...extra], { env: env() });

  async function matches(dir: string, name: string): Promise<boolean> {
    const fromKey = await execa('openssl', ['pkey', '-in', path.join(dir, `${name}.key.pem`), '-pubout']);
    const fromDer = await execa('openssl', ['x509', '-inform', 'DER', '-in', path.join(dir, `${name}.der`), '-pubkey', '-noout']);
    return fromKey.stdout === fromDer.stdout;
  }

  it('a folder that is a file: E_KEY_FOLDER, exit 2, nothing written', async () => {
    await writeFile(path.join(work, 'a-file'), 'x');
    const before = await snapshotTree(work);
    const r = await keys(path.join(work, 'a-file'));
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/a-file: error E_KEY_FOLDER: .*it is a file, not a folder; nothing was left there/);
    const below = await keys(path.join(work, 'a-file', 'keys'));
    expect(below.exitCode).toBe(2);
    expect(below.stderr).toMatch(/E_KEY_FOLDER: .*a part of it is a file/);
    expect(await snapshotTree(work)).toEqual(before);
  });

  it('a dangling link named NAME.der or NAME.crt.pem: E_KEY_EXISTS, exit 1, never written through', async () => {
    for (const file of ['k1.der', 'k1.crt.pem']) {
      const dir = path.join(work, `dangling-${file}`);
      await mkdir(dir);
      await symlink(canary, path.join(dir, file));
      const before = await snapshotTree(work);
      const r = await keys(dir, ['--name', 'k1']);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${file.replace(/\./g, '\\.')}: error E_KEY_EXISTS: `));
      expect(canaryFired(canary)).toBe(false);
      expect(await snapshotTree(work)).toEqual(before);
    }
  });

  it('under umask 000 the modes are 0600/0644/0644 and the folder 0700; two concurrent runs give one matching set and one E_KEY_LOCKED or E_KEY_EXISTS', async () => {
    const dir = path.join(work, 'umask', 'keys');
    const r = await keys(dir, [], { umask: '000' });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'kplay-sig.key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'kplay-sig.crt.pem'))).mode & 0o777).toBe(0o644);
    expect((await stat(path.join(dir, 'kplay-sig.der'))).mode & 0o777).toBe(0o644);
    expect(await matches(dir, 'kplay-sig')).toBe(true);

    const both = path.join(work, 'concurrent');
    const [a, b] = await Promise.all([keys(both, ['--name', 'x']), keys(both, ['--name', 'x'])]);
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes[0]).toBe(0);
    expect([1, 2]).toContain(codes[1]);
    expect(`${a.stderr}${b.stderr}`).toMatch(/error (E_KEY_LOCKED|E_KEY_EXISTS): /);
    expect((await readdir(both)).sort()).toEqual(['x.crt.pem', 'x.der', 'x.key.pem']);
    expect(await matches(both, 'x')).toBe(true);
    expect(await tmpLeftovers()).toEqual([]);
  }, 60_000);

  it('SIGINT, SIGTERM or SIGHUP at a random point: the complete set or nothing, no private key anywhere else', async () => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (let i = 0; i < 4; i++) {
      const dir = path.join(work, `keys-sig-${i}`);
      const child = spawn(process.execPath, [KPLAY_BIN, 'keys', 'new', '--dir', dir, '--days', '2'], {
        env: { ...process.env, ...env(), NO_COLOR: '1' },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 900));
      child.kill(signals[i % 3]);
      const code = await exited;
      expect([0, 130, 143, 129, null]).toContain(code);
      await new Promise((r) => setTimeout(r, 300)); // an orphaned openssl, if any, ends
      const left = existsSync(dir) ? (await readdir(dir)).sort() : [];
      if (code === 0) {
        expect(left).toEqual(['kplay-sig.crt.pem', 'kplay-sig.der', 'kplay-sig.key.pem']);
        expect(await matches(dir, 'kplay-sig')).toBe(true);
      } else expect(left, `after ${signals[i % 3]}`).toEqual([]);
      expect(await tmpLeftovers()).toEqual([]);
      const anyKey = await execa('grep', ['-rl', 'PRIVATE KEY', tmp, ...(existsSync(dir) ? [dir] : [])], { reject: false });
      if (code !== 0) expect(anyKey.stdout).toBe('');
    }
  }, 60_000);

  it('the private key never passes through TMPDIR', async () => {
    // kplay keys new works inside the key folder; a run with an unwritable TMPDIR still succeeds
    const dir = path.join(work, 'no-tmp');
    const r = await runKplay(['keys', 'new', '--dir', dir, '--days', '2'], {
      env: { TMPDIR: path.join(work, 'missing-tmp'), KPLAY_KEY_BITS: '2048' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'kplay-sig.key.pem'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
  });
});
