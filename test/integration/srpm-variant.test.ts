import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoprServer, type CoprContractServer } from '../support/copr-server/copr-contract-server.js';
import { makeCoprHome } from '../support/copr-server/kplay-cli.js';
import { startKojiHub, type RunningKojiHub } from '../support/koji/koji-hub-server.js';
import { makeCbsSandbox } from '../support/koji/cbs-sandbox.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * A tiny tarball with the top folder `linux-<version>/` whose Makefile answers the targets the
 * vanilla %prep runs (defconfig, olddefconfig): enough for the SRPM's own %prep check to pass.
 */
async function tinyKernelTarball(version: string): Promise<Buffer> {
  const dir = await tempDir('kplay-tiny-kernel-');
  const top = path.join(dir, `linux-${version}`);
  await mkdir(top);
  await writeFile(path.join(top, 'Makefile'), 'defconfig:\n\techo "# tiny" > .config\nolddefconfig:\n\t@true\n');
  const tar = await execa(
    'tar',
    ['--sort=name', '--mtime=2026-01-01', '--owner=0', '--group=0', '-C', dir, '-cJf', '-', `linux-${version}`],
    {
      encoding: 'buffer',
    },
  );
  return Buffer.from(tar.stdout);
}

/** A repository whose variant names a small local tarball by file:// URL and sha256, with both targets. */
async function repoWithTarball(): Promise<{ root: string; cache: string; tarball: string }> {
  const tarballText = await tinyKernelTarball('6.1.192');
  const root = await makeFixtureRepo({
    'features/wg/feature.yml': 'summary: wireguard\nkernel: ">=5.6"\n',
    'features/wg/config': 'CONFIG_WIREGUARD=m\n',
    'dl/linux-6.1.192.tar.xz': tarballText,
    '.cache/.keep': '',
    'variants/.keep': '',
  });
  const tarball = path.join(root, 'dl/linux-6.1.192.tar.xz');
  await writeFile(
    path.join(root, 'variants/v.yml'),
    [
      'name: v',
      'summary: test kernel',
      'base:',
      '  kind: vanilla',
      '  version: "6.1.192"',
      '  source:',
      `    url: "file://${tarball}"`,
      `    sha256: ${sha256(tarballText)}`,
      'arches: [x86_64, aarch64]',
      'features: [wg]',
      'changelog:',
      '  - { date: "2026-11-20", author: "A <a@b.c>", text: "first" }',
      'targets:',
      '  copr: { project: kplaybot/playground, chroots: [fedora-rawhide-x86_64, fedora-rawhide-aarch64] }',
      '  cbs: { target: kmods9s-packages-main-el9s, scratch: true }',
    ].join('\n'),
  );
  return { root, cache: path.join(root, '.cache'), tarball };
}

describe('kplay srpm from a variant', () => {
  it('fetches the verified tarball into the cache and builds the same SRPM bytes twice', async () => {
    const { root, cache } = await repoWithTarball();
    const env = { KPLAY_CACHE_DIR: cache };
    const first = await runKplay(['srpm', 'variants/v.yml', '--no-check'], { cwd: root, env });
    expect(first.stderr).toContain('0 errors');
    expect(first.exitCode).toBe(0);
    const srpm = path.join(root, 'out/v/kernel-v-6.1.192-1.src.rpm');
    expect(first.stdout).toContain('wrote out/v/kernel-v-6.1.192-1.src.rpm');
    const bytes1 = await readFile(srpm);
    const second = await runKplay(['srpm', 'variants/v.yml', '--no-check'], { cwd: root, env });
    expect(second.exitCode).toBe(0);
    expect(sha256(await readFile(srpm))).toBe(sha256(bytes1));
    const files = (await execa('rpm', ['-qlp', srpm])).stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['linux-6.1.192.tar.xz', 'kernel-v.spec', 'kplay-x86_64.requested.config']));
    const buildtime = (await execa('rpm', ['-qp', '--qf', '%{buildtime}', srpm])).stdout;
    expect(Number(buildtime)).toBe(Date.parse('2026-11-20T00:00:00Z') / 1000);
    // the tarball now sits in the cache under its digest
    expect((await readdir(path.join(cache, 'sources'), { recursive: true })).some((p) => String(p).endsWith('linux-6.1.192.tar.xz'))).toBe(
      true,
    );
  });

  it('refuses a tarball whose digest does not match, and writes no SRPM', async () => {
    const { root, cache, tarball } = await repoWithTarball();
    await writeFile(tarball, 'tampered');
    const r = await runKplay(['srpm', 'variants/v.yml'], { cwd: root, env: { KPLAY_CACHE_DIR: cache } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/E_SOURCE_CHECKSUM/);
    // the tarball is verified before anything is composed: no output at all
    expect((await readdir(path.join(root, 'out/v')).catch(() => [] as string[])).filter((n) => n.endsWith('.src.rpm'))).toEqual([]);
  });
});

describe('kplay submit from a variant', () => {
  let copr: CoprContractServer;
  let hub: RunningKojiHub;
  beforeAll(async () => {
    copr = await startCoprServer({ login: 'bot', token: 'tok-secret-123', user: 'kplaybot' });
    hub = await startKojiHub({});
  });
  afterAll(async () => {
    await copr.stop();
    await hub.close();
  });

  it('--copr uses targets.copr: builds the SRPM, uploads it, watches both chroots to success', async () => {
    const { root, cache } = await repoWithTarball();
    const home = await makeCoprHome(copr.url, 'bot', 'tok-secret-123', 'kplaybot');
    const env = { HOME: home, KPLAY_CACHE_DIR: cache, KPLAY_POLL_INTERVAL_MS: '5', KPLAY_RETRY_BASE_MS: '5' };
    const r = await runKplay(['submit', 'variants/v.yml', '--copr', '--wait', '--no-check'], { cwd: root, env });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toContain('tok-secret-123');
    const uploads = copr.requests.filter((q) => q.path === 'build/create/upload' && q.status === 200);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.parts?.find((p) => p.name === 'pkgs')?.filename).toBe('kernel-v-6.1.192-1.src.rpm');
    // a second run resumes the recorded build instead of uploading again
    const again = await runKplay(['submit', 'variants/v.yml', '--copr', '--wait', '--no-check'], { cwd: root, env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(copr.requests.filter((q) => q.path === 'build/create/upload' && q.status === 200)).toHaveLength(1);
  });

  it('--cbs uses targets.cbs: the CLI gets build --scratch --nowait TARGET out/v/...src.rpm; a re-run resumes', async () => {
    const { root, cache } = await repoWithTarball();
    const box = makeCbsSandbox({ hubUrl: hub.url });
    const env = box.env({ KPLAY_CACHE_DIR: cache });
    const r = await runKplay(['submit', 'variants/v.yml', '--cbs', '--wait', '--no-check'], { cwd: root, env });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const srpm = path.join(root, 'out/v/kernel-v-6.1.192-1.src.rpm');
    expect(box.cliRuns()).toEqual([{ prog: 'cbs', argv: ['build', '--scratch', '--nowait', 'kmods9s-packages-main-el9s', srpm] }]);
    const again = await runKplay(['submit', 'variants/v.yml', '--cbs', '--wait', '--no-check'], { cwd: root, env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(box.cliRuns()).toHaveLength(1);
  });
});

describe('kplay srpm for a kernel.org release named without a digest', () => {
  it("takes the sha256 from kernel.org's checksum list, downloads and verifies the tarball", async () => {
    const { startReleaseServer } = await import('../support/release-server/release-server.js');
    const server = await startReleaseServer();
    try {
      const tarball = await tinyKernelTarball('6.1.192');
      server.publish([{ version: '6.1.192', moniker: 'longterm', tarball }], '6.1.192');
      const root = await makeFixtureRepo({
        'variants/v.yml': 'name: v\nsummary: t\nbase: { kind: vanilla, version: "6.1.192" }\narches: [x86_64]\nfeatures: []\n',
        'features/.keep': '',
        '.cache/.keep': '',
      });
      const env = { KPLAY_CACHE_DIR: path.join(root, '.cache'), KPLAY_KERNEL_CDN: server.cdn, KPLAY_RELEASES_URL: server.releasesUrl };
      const r = await runKplay(['srpm', 'variants/v.yml', '--no-check'], { cwd: root, env });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(server.requests).toEqual(
        expect.arrayContaining(['/pub/linux/kernel/v6.x/sha256sums.asc', '/pub/linux/kernel/v6.x/linux-6.1.192.tar.xz']),
      );
      expect(await readFile(path.join(root, 'out/v/linux-6.1.192.tar.xz'))).toEqual(tarball);
    } finally {
      await server.close();
    }
  });
});

describe('kplay srpm for a distribution overlay', () => {
  it('gathers the dist-git lookaside files from --sources-dir (digest-checked) and builds the SRPM', async () => {
    const { ROOT_OF_REPO } = await import('../support/fixture-repo.js');
    const out = await tempDir('kplay-overlay-srpm-');
    const r = await runKplay(
      // the fixture lookaside tarball is not a real kernel: the checks are skipped, loudly
      [
        'srpm',
        'variants/fedora-playground.yml',
        '--dist-git',
        'test/fixtures/dist-git/fedora-6.17',
        '--sources-dir',
        'test/fixtures/dist-git/lookaside',
        '--out',
        out,
        '--no-check',
        // the stand-in tarball holds no kernel: Fedora's %prep could not run on it
        '--no-prep-check',
      ],
      { cwd: ROOT_OF_REPO },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning W_PREP_CHECK_SKIPPED/);
    expect(r.stderr).toMatch(/warning W_SRPM_UNCHECKED: the Kconfig and patch checks did not run \(--no-check was given\)/);
    const srpm = path.join(out, 'kernel-6.17.7-200.playground.src.rpm');
    const files = (await execa('rpm', ['-qlp', srpm])).stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['kernel.spec', 'kernel-local', 'linux-6.17.7.tar.xz', 'kernel-x86_64-fedora.config']));
  });
});
