import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSrpm } from '../../src/rpm/build-srpm.js';
import { setupUnpacks, tarballTopFolder } from '../../src/rpm/prove-srpm.js';
import { startCoprServer, type CoprContractServer } from '../support/copr-server/copr-contract-server.js';
import { makeCoprHome } from '../support/copr-server/kplay-cli.js';
import { requireSystemFile } from '../support/kernel-tree.js';
import { tempDir } from '../support/temp-dir.js';
import { cleanupRepos, hostileRepo, runKplay } from './support/hostile-repo.js';

/**
 * Every SRPM proves itself before it leaves (issue 23): `kplay srpm` and `kplay submit` (a
 * variant or --srpm, the dry run included) refuse a tarball whose top folder is not the folder
 * %setup enters (E_SRPM_SETUP_DIR, from the tar index, before anything is built or sent), and run
 * the SRPM's own %prep in the sandbox (E_PREP_FAILED with the failing line). A hostile tarball
 * whose Makefile runs in %prep cannot write outside its build folder or reach the network.
 * Tiny tarballs: each kplay run takes ~2-4 s.
 */
requireSystemFile('/usr/bin/bwrap', 'bubblewrap');

const sha256Of = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function tarball(dir: string, name: string, top: string, makefile: string): string {
  const src = path.join(dir, `src-${name}-${top}`);
  execFileSync('mkdir', ['-p', path.join(src, top)]);
  execFileSync('sh', ['-c', 'cat > "$1"', 'w', path.join(src, top, 'Makefile')], { input: makefile });
  const file = path.join(dir, top, name);
  execFileSync('mkdir', ['-p', path.dirname(file)]);
  execFileSync('tar', ['-czf', file, '-C', src, top]);
  return file;
}

function vanillaVariant(name: string, file: string): string {
  return [
    `name: ${name}`,
    'summary: test kernel',
    'base:',
    '  kind: vanilla',
    '  version: "6.1.1"',
    '  source:',
    `    url: "file://${file}"`,
    `    sha256: ${sha256Of(file)}`,
    '  config:',
    '    x86_64: defconfig',
    'arches: [x86_64]',
    'changelog:',
    '  - { date: "2026-11-20", author: "A <a@b.c>", text: "first" }',
  ].join('\n');
}

const GOOD_MAKEFILE =
  'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\nEXTRAVERSION =\ndefconfig:\n\techo "# x" > .config\nolddefconfig:\n\t@true\n';

function processesWith(marker: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    try {
      const c = readFileSync(`/proc/${n}/cmdline`, 'utf8');
      if (c.includes(marker)) out.push(c.replace(/\0/g, ' '));
    } catch {
      /* gone */
    }
  }
  return out;
}

const scratchLeft = (): string[] => readdirSync(os.tmpdir()).filter((n) => /^kplay-(prep|rpmspec|srpm-proof)-/.test(n));

describe('the tarball top folder against %setup (tar index, nothing extracted)', () => {
  it('reads the top folder of the first file and the folder %setup enters', async () => {
    const dir = await tempDir('kplay-top-');
    expect(await tarballTopFolder(tarball(dir, 'linux-6.1.1.tar.gz', 'linux-source-6.1.1', GOOD_MAKEFILE))).toBe('linux-source-6.1.1');
    const parsed =
      "%prep\ncd '/b'\nrm -rf 'linux-6.1.1'\n/usr/lib/rpm/rpmuncompress -x /s/linux-6.1.1.tar.xz\nSTATUS=$?\ncd 'linux-6.1.1'\n%build\n";
    expect(setupUnpacks(parsed)).toEqual([{ tarball: '/s/linux-6.1.1.tar.xz', folder: 'linux-6.1.1', createsFolder: false }]);
  });
});

describe('kplay srpm / submit: every SRPM proves itself', () => {
  let dir: string;
  let server: CoprContractServer;
  let home: string;
  beforeAll(async () => {
    dir = await tempDir('kplay-prove-');
    server = await startCoprServer({ login: 'l', token: 'tkn-prove-0123456789', user: 'u' });
    home = await makeCoprHome(server.url, 'l', 'tkn-prove-0123456789', 'u');
  });
  afterAll(async () => {
    await server.stop();
    await cleanupRepos();
  });

  it('a tarball whose top folder is linux-source-6.1.1/: srpm and submit (dry run, --srpm) refuse with E_SRPM_SETUP_DIR before anything is sent', async () => {
    const bad = tarball(dir, 'linux-6.1.1.tar.gz', 'linux-source-6.1.1', GOOD_MAKEFILE);
    const root = await hostileRepo({ 'variants/v.yml': vanillaVariant('v', bad) });
    const srpm = await runKplay(['srpm', 'variants/v.yml', '--no-check'], { cwd: root, env: { KPLAY_CACHE_DIR: path.join(dir, 'c1') } });
    expect(srpm.exitCode, srpm.stderr).toBe(2);
    expect(srpm.stderr).toMatch(
      /out\/v\/kernel-v\.spec:\d+: error E_SRPM_SETUP_DIR: %prep unpacks linux-6\.1\.1\.tar\.gz and enters linux-6\.1\.1\/, but the tarball's top folder is linux-source-6\.1\.1\//,
    );
    const line = Number(/kernel-v\.spec:(\d+):/.exec(srpm.stderr)![1]);
    expect(readFileSync(path.join(root, 'out/v/kernel-v.spec'), 'utf8').split('\n')[line - 1]).toMatch(/^%setup -q -n linux-6\.1\.1$/);
    expect((await readdir(path.join(root, 'out/v'))).filter((f) => f.endsWith('.src.rpm'))).toEqual([]);

    const env = { HOME: home, KPLAY_CACHE_DIR: path.join(dir, 'c1') };
    for (const dry of [['--dry-run'], []]) {
      server.requests.length = 0;
      const sub = await runKplay(
        ['submit', 'variants/v.yml', '--no-check', '--copr', 'u/p', '--chroot', 'fedora-rawhide-x86_64', '--no-wait', ...dry],
        {
          cwd: root,
          env,
          cleanEnv: true,
        },
      );
      expect(sub.exitCode, sub.stderr).toBe(2);
      expect(sub.stderr).toMatch(/error E_SRPM_SETUP_DIR/);
      expect(server.requests.filter((r) => r.path.startsWith('build/create'))).toEqual([]);
    }

    // the same SRPM built by hand and given with --srpm: refused too
    const given = await buildSrpm({
      specFile: path.join(root, 'out/v/kernel-v.spec'),
      sourceDir: path.join(root, 'out/v'),
      outDir: path.join(dir, 'given'),
    });
    server.requests.length = 0;
    const sub = await runKplay(['submit', '--srpm', given, '--copr', 'u/p', '--chroot', 'fedora-rawhide-x86_64', '--no-wait'], {
      cwd: root,
      env,
      cleanEnv: true,
    });
    expect(sub.exitCode, sub.stderr).toBe(2);
    expect(sub.stderr).toMatch(/kernel-v-6\.1\.1-1\.src\.rpm:kernel-v\.spec:\d+: error E_SRPM_SETUP_DIR/);
    expect(server.requests.filter((r) => r.path.startsWith('build/create'))).toEqual([]);
    expect(scratchLeft()).toEqual([]);
  });

  it('a matching tarball passes its %prep and the SRPM is written; --no-prep-check says so loudly', async () => {
    const good = tarball(dir, 'linux-6.1.1.tar.gz', 'linux-6.1.1', GOOD_MAKEFILE);
    const root = await hostileRepo({ 'variants/g.yml': vanillaVariant('g', good) });
    const r = await runKplay(['srpm', 'variants/g.yml', '--no-check', '--json'], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: path.join(dir, 'c2') },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await readdir(path.join(root, 'out/g'))).filter((f) => f.endsWith('.src.rpm'))).toEqual(['kernel-g-6.1.1-1.src.rpm']);
    const skipped = await runKplay(['srpm', 'variants/g.yml', '--no-check', '--no-prep-check'], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: path.join(dir, 'c2') },
    });
    expect(skipped.exitCode, skipped.stderr).toBe(0);
    expect(skipped.stderr).toMatch(/variants\/g\.yml: warning W_PREP_CHECK_SKIPPED: --no-prep-check/);
  });

  it('a hostile tarball Makefile run by %prep: no canary outside, no network, E_PREP_FAILED quoting the failing line; no process or folder left', async () => {
    const outside = await tempDir('kplay-outside-');
    const canary = path.join(outside, 'CANARY');
    let connections = 0;
    const srv = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const probe = `import socket\\ntry:\\n socket.create_connection(('127.0.0.1', ${port}), 2); print('connected')\\nexcept OSError: print('unreachable')`;
      const makefile = [
        'VERSION = 6',
        'PATCHLEVEL = 1',
        'SUBLEVEL = 1',
        'defconfig:',
        `\t-touch ${canary} /tmp/CANARY-prep ../../CANARY-up $$HOME/CANARY-home`,
        '\t(sleep 30; touch ' + canary + ') >/dev/null 2>&1 &',
        `\techo NETPROBE $$(python3 -c "exec(\\"${probe}\\")") >&2; exit 1`,
        '',
      ].join('\n');
      const fixed = tarball(path.join(dir, 'evil'), 'linux-6.1.1.tar.gz', 'linux-6.1.1', makefile);
      const root = await hostileRepo({ 'variants/e.yml': vanillaVariant('e', fixed) });
      await mkdir(path.join(root, 'out'), { recursive: true });
      await writeFile(path.join(root, 'out', 'keep'), '');
      const r = await runKplay(['srpm', 'variants/e.yml', '--no-check'], { cwd: root, env: { KPLAY_CACHE_DIR: path.join(dir, 'c3') } });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /out\/e\/kernel-e\.spec:\d+: error E_PREP_FAILED: the SRPM's %prep fails for x86_64 at `make ARCH=x86 defconfig`: .*NETPROBE unreachable/,
      );
      const line = Number(/kernel-e\.spec:(\d+): error E_PREP_FAILED/.exec(r.stderr)![1]);
      expect(readFileSync(path.join(root, 'out/e/kernel-e.spec'), 'utf8').split('\n')[line - 1]).toMatch(/make ARCH=\$karch "\$target"/);
      expect(connections).toBe(0);
      expect(existsSync(canary)).toBe(false);
      expect(existsSync(path.join(os.tmpdir(), 'CANARY-prep'))).toBe(false);
      expect(existsSync(path.join(os.homedir(), 'CANARY-home'))).toBe(false);
      expect(readdirSync(path.join(root, 'out'))).toEqual(expect.not.arrayContaining(['CANARY-up']));
      // this run's processes only (its fixture folder is on every command line): other kplay runs may share the machine
      expect(processesWith(root)).toEqual([]);
      expect(processesWith(canary)).toEqual([]);
      expect(scratchLeft()).toEqual([]);
    } finally {
      srv.close();
    }
  });
});
