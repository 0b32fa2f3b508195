/**
 * Network input is bounded, streamed and parsed linearly; version-releases from a repository are
 * validated before use (issue 24). The endless answers run kplay under /usr/bin/time -v and
 * assert the finding, < 10 s and < 300 MB peak RSS. ~15 s in all (the endless primary reads 48 MiB
 * over loopback; the gzip bomb inflates 512 MiB); the xz/zstd/bzip2 bombs run under KPLAY_EXHAUSTIVE=1.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagesNamed, primaryLocation, RepoMetadataSource } from '../../src/releases/repo-metadata.js';
import { startRepoMetadataServer, type RepoMetadataServer } from '../support/distribution-repo/repo-metadata-server.js';
import { KPLAY_BIN } from '../support/run-kplay.js';
import { itExhaustive } from '../support/exhaustive.js';
import { tempDir } from '../support/temp-dir.js';
import { canaryFired, canaryPath, cleanupRepos, hostileRepo, runKplay, snapshotTree } from './support/hostile-repo.js';

afterAll(cleanupRepos);

const VARIANT = [
  'name: kmod-hello',
  'type: kmod',
  'summary: hello module',
  'kmod:',
  '  kernel-version: "5.14.0-570.el9"',
  '  source:',
  '    url: https://sources.example.org/linux-5.14.0-570.el9.tar.xz',
  '    topdir: linux-5.14.0-570.el9',
  '  modules:',
  '    hello: [drivers/misc/kplay_hello]',
  'arches: [x86_64]',
  'features: [hello]',
  '',
].join('\n');

async function kmodRepo(canary: string): Promise<string> {
  return hostileRepo({
    'variants/kmod-hello.yml': VARIANT,
    'features/hello/feature.yml': 'summary: hello\n',
    'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
    // where 570.el9/../../features/hello/evil would lead --kernel-source trees/{kernel}
    'features/hello/evil/drivers/misc/kplay_hello/Makefile': `$(shell touch ${canary})\nobj-m += kplay_hello.o\n`,
    'features/hello/evil/Makefile': `$(shell touch ${canary})\n`,
  });
}

/** A file:// repository whose repomd.xml and primary file are given as bytes. */
async function fileRepo(primaryName: string, primary: Buffer | string, repomd?: string): Promise<string> {
  const dir = await tempDir('kplay-repo-');
  await mkdir(path.join(dir, 'repodata'));
  await writeFile(
    path.join(dir, 'repodata/repomd.xml'),
    repomd ?? `<repomd><data type="primary"><location href="repodata/${primaryName}"/></data></repomd>`,
  );
  await writeFile(path.join(dir, 'repodata', primaryName), primary);
  return pathToFileURL(dir).href;
}

/** kplay track under /usr/bin/time -v: exit status, stderr, seconds and peak RSS in MB. */
async function timedTrack(root: string, repoUrl: string, state: string) {
  const r = await execa(
    '/usr/bin/time',
    [
      '-v',
      process.execPath,
      KPLAY_BIN,
      'track',
      'variants/kmod-hello.yml',
      '--repo',
      repoUrl,
      '--state',
      state,
      '--kernel-source',
      'trees/{kernel}',
    ],
    { cwd: root, reject: false, env: { NO_COLOR: '1' }, timeout: 60_000 },
  );
  const stderr = String(r.stderr);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return { exitCode: r.exitCode, stderr, seconds, rssMb: rssKb / 1024 };
}

describe('version-releases from --repo are validated before any use (exit 0, nothing rewritten, no canary)', () => {
  let repo: RepoMetadataServer;
  beforeAll(async () => {
    repo = await startRepoMetadataServer();
  });
  afterAll(() => repo.close());

  it('570.el9/../../features/hello/evil is left out: up to date, the variant untouched, make never ran there', async () => {
    const canary = canaryPath('nvr');
    const root = await kmodRepo(canary);
    const state = path.join(await tempDir('kplay-state-'), 'state.json');
    repo.publish([
      { name: 'kernel-devel', versionRelease: '5.14.0-570.el9', arch: 'x86_64' },
      { name: 'kernel-devel', versionRelease: '5.14.0-570.el9/../../features/hello/evil', arch: 'x86_64' },
    ]);
    const before = await snapshotTree(root);
    const r = await runKplay(
      [
        'track',
        'variants/kmod-hello.yml',
        '--repo',
        repo.url,
        '--state',
        state,
        '--kernel-source',
        'trees/{kernel}',
        '--kernel-devel',
        'trees/{kernel}',
        '--json',
      ],
      { cwd: root },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'up-to-date', current: '5.14.0-570.el9' });
    expect(r.stderr).toMatch(
      /lists "5\.14\.0-570\.el9\/\.\.\/\.\.\/features\/hello\/evil", which is not a kernel version-release: left out/,
    );
    expect(await snapshotTree(root)).toEqual(before);
    expect(canaryFired(canary)).toBe(false);
  });

  it('the readers keep only valid version-releases and arches', () => {
    const xml = `<metadata>
<package type="rpm"><name>kernel-devel</name><arch>x86_64</arch><version epoch="0" ver="5.14.0" rel="580.el9"/></package>
<package type="rpm"><name>kernel-devel</name><arch>x86_64</arch><version epoch="0" ver="5.14.0" rel="580.el9/../x"/></package>
<package type="rpm"><name>kernel-devel</name><arch>x8$(id)</arch><version epoch="1" ver="5.14.0" rel="581.el9"/></package>
<package type="rpm"><name>kernel-devel</name><arch>x86_64</arch><version ver="5.14.0" rel="58 2.el9"/></package>
</metadata>`;
    expect(packagesNamed(xml, 'kernel-devel')).toEqual([
      { versionRelease: '5.14.0-580.el9', arch: 'x86_64' },
      { versionRelease: '5.14.0-581.el9', epoch: 1 },
    ]);
  });
});

describe('quadratic inputs finish in < 2 s (the repository reader is one linear pass)', () => {
  const cases: Array<[string, () => string]> = [
    ['80,000 unclosed <package> (1.6 MB)', () => '<metadata>' + '<package>x'.repeat(80_000) + '<name>kernel-devel</name>'],
    [
      '80,000 <package> with a <name> each',
      () => '<package><name>kernel-devel</name><version ver="5'.repeat(1) + '<package><name>a'.repeat(80_000),
    ],
    ['100,000 attributes without a value', () => `<package><version ${'a '.repeat(100_000)}/></package>`.slice(0, 60_000)],
  ];
  it.each(cases)('primary: %s', (_name, make) => {
    const xml = make();
    const t = performance.now();
    try {
      packagesNamed(xml, 'kernel-devel');
    } catch {
      /* an unfinished tag is an error: fine, as long as it is quick */
    }
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it.each([
    ['<data type="primary"> repeated 80,000 times', '<repomd>' + '<data type="primary">'.repeat(80_000)],
    ['<location  repeated 80,000 times', '<repomd><data type="primary">' + '<location '.repeat(80_000)],
  ])('repomd: %s', (_name, xml) => {
    const t = performance.now();
    expect(() => primaryLocation(xml, 'repomd.xml')).toThrow();
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('a real-sized primary (40 MB, 20,000 packages) is read in one pass', async () => {
    const pkg = (i: number) =>
      `<package type="rpm"><name>${i % 100 === 0 ? 'kernel-devel' : `pkg${i}`}</name><arch>x86_64</arch><version epoch="0" ver="5.14.0" rel="${i}.el9"/><description>${'d'.repeat(1900)}</description></package>\n`;
    const xml = Array.from({ length: 20_000 }, (_, i) => pkg(i)).join('');
    const url = await fileRepo('primary.xml', xml);
    const t = performance.now();
    const kernels = await new RepoMetadataSource(url).kernels();
    expect(kernels).toHaveLength(200);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('a corrupt primary.xml.gz is E_NETWORK_MALFORMED, exit 2', async () => {
    const gz = gzipSync('<metadata><package><name>kernel-devel</name></package></metadata>'.repeat(100));
    gz.fill(0x41, 20, 60);
    const url = await fileRepo('primary.xml.gz', gz);
    const root = await kmodRepo(canaryPath('gz'));
    const r = await runKplay(['track', 'variants/kmod-hello.yml', '--repo', url, '--state', path.join(root, '.st.json')], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_NETWORK_MALFORMED: .*primary\.xml\.gz: cannot read the primary metadata/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

/** A server answering every request with an endless body (after repomd.xml when `primary`). */
async function endlessServer(body: 'repomd' | 'primary'): Promise<{ url: string; close: () => Promise<void> }> {
  // package entries shaped like createrepo_c's (a summary and a description of a few hundred bytes)
  const entry = `<package type="rpm"><name>x</name><arch>x86_64</arch><version epoch="0" ver="1" rel="1.el9"/><summary>${'s'.repeat(80)}</summary><description>${'d'.repeat(600)}</description></package>\n`;
  const chunk = Buffer.from(entry.repeat(100));
  const server = http.createServer((req, res) => {
    if (body === 'primary' && req.url === '/repodata/repomd.xml') {
      res.end('<repomd><data type="primary"><location href="repodata/primary.xml"/></data></repomd>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/xml' });
    let sent = 0;
    const pump = () => {
      while (sent < 1024 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (sent = Infinity));
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('1 GB answers and bombs are refused within 10 s and 300 MB (E_NETWORK_TOO_LARGE, exit 2)', () => {
  it.each([['repomd'], ['primary']] as const)(
    'an endless %s answer',
    async (which) => {
      expect(existsSync('/usr/bin/time'), 'Debian package time').toBe(true);
      const server = await endlessServer(which);
      try {
        const root = await kmodRepo(canaryPath('endless'));
        const before = await snapshotTree(root);
        const r = await timedTrack(root, server.url, path.join(await tempDir('kplay-state-'), 's.json'));
        expect(r.exitCode, r.stderr).toBe(2);
        expect(r.stderr).toMatch(
          which === 'repomd'
            ? /error E_NETWORK_TOO_LARGE: .*repomd\.xml: the repomd\.xml is larger than 4 MiB/
            : /error E_NETWORK_TOO_LARGE: .*primary\.xml: the primary metadata is larger than 48 MiB/,
        );
        expect(r.seconds).toBeLessThan(10);
        expect(r.rssMb).toBeLessThan(300);
        expect(await snapshotTree(root)).toEqual(before);
      } finally {
        await server.close();
      }
    },
    60_000,
  );

  /** 1.25 GiB of zeros as 20 concatenated members/frames/streams of 64 MiB (each tool reads a concatenation). */
  async function bomb(ext: string): Promise<Buffer> {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const one =
      ext === 'gz'
        ? gzipSync(zeros, { level: 1 })
        : (await execa(ext === 'xz' ? 'xz' : ext === 'zst' ? 'zstd' : 'bzip2', ['-c', '-1'], { input: zeros, encoding: 'buffer' })).stdout;
    return Buffer.concat(Array.from({ length: 20 }, () => one));
  }

  const bombCase = async (ext: string) => {
    const url = await fileRepo(`primary.xml.${ext}`, await bomb(ext));
    const root = await kmodRepo(canaryPath('bomb'));
    const r = await timedTrack(root, url, path.join(await tempDir('kplay-state-'), 's.json'));
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error E_NETWORK_TOO_LARGE: .*: the primary metadata is larger than 512 MiB once decompressed/);
    expect(r.seconds).toBeLessThan(10);
    expect(r.rssMb).toBeLessThan(300);
  };
  it('a .gz bomb (1.25 GiB of zeros)', () => bombCase('gz'), 60_000);
  for (const ext of ['xz', 'zst', 'bz2']) itExhaustive(`a .${ext} bomb (1.25 GiB of zeros)`, () => bombCase(ext), 120_000);
});
