import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRepoMetadataServer, type RepoMetadataServer } from '../support/distribution-repo/repo-metadata-server.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { fakeKernelTarball, WIREGUARD_SYMBOL } from '../support/release-server/fake-kernel-tarball.js';
import { runKplay } from '../support/run-kplay.js';

const KMOD = [
  'name: kmod-hello',
  'type: kmod',
  'summary: hello',
  'kmod:',
  '  kernel-version: "5.14.0-570.el9"',
  '  source: { url: "https://sources.example.org/linux-5.14.0-570.el9.tar.xz" }',
  '  modules: { hello: [drivers/misc/kplay_hello] }',
  'arches: [x86_64]',
  'features: [hello]',
  '',
].join('\n');
const VANILLA = [
  'name: tracked',
  'summary: tracked kernel',
  'base:',
  '  kind: vanilla',
  '  version: "6.6.10"',
  '  config:',
  '    x86_64: defconfig',
  'arches: [x86_64]',
  'features: [wg]',
  '',
].join('\n');

interface Report {
  bases: Array<{ spec: string; kind?: string; error?: string }>;
  cells: Array<{
    variant: string;
    base: string;
    status: string;
    exitCode: number;
    features: Record<string, { status: string; codes: string[] }>;
  }>;
}

describe('kplay matrix with distribution columns for kmod variants', () => {
  let root: string;
  let closedUrl: string;
  let stream: RepoMetadataServer;
  beforeAll(async () => {
    stream = await startRepoMetadataServer();
    stream.publish([
      { name: 'kernel-devel', versionRelease: '5.14.0-570.el9', arch: 'x86_64' },
      { name: 'kernel-devel', versionRelease: '5.14.0-590.el9', arch: 'x86_64' },
    ]);
    root = await makeFixtureRepo({
      'variants/kmod-hello.yml': KMOD,
      'variants/tracked.yml': VANILLA,
      'features/hello/feature.yml': 'summary: hello\n',
      'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
      'features/wg/feature.yml': 'summary: wg\n',
      'features/wg/config': 'CONFIG_WIREGUARD=m\n',
      'trees/5.14.0-580.el9/drivers/misc/kplay_hello/Makefile': 'obj-$(CONFIG_KPLAY_HELLO) += kplay_hello.o\n',
      'trees/5.14.0-590.el9/drivers/misc/Makefile': 'obj-y += eeprom/\n',
    });
    await writeFile(path.join(root, 'linux-6.6.10.tar.xz'), await fakeKernelTarball('6.6.10', { WIREGUARD: WIREGUARD_SYMBOL }));
    // kernel.org "offline": a port nobody listens on any more
    const s = http.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    closedUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}/releases.json`;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
  afterAll(async () => {
    await stream.close();
    await rm(root, { recursive: true, force: true });
  });

  it('checks kmods on their own columns, never counts unchecked cells as passing, and keeps running past an unreachable column', async () => {
    const out = path.join(root, 'out/matrix');
    const r = await runKplay(
      [
        'matrix',
        'variants/kmod-hello.yml',
        'variants/tracked.yml',
        '--base',
        '6.6.10=linux-6.6.10.tar.xz',
        '--base',
        'dist:5.14.0-580.el9=trees/5.14.0-580.el9',
        '--base',
        `repo:${stream.url}=trees/{kernel}`,
        '--base',
        'latest-stable',
        '--releases-url',
        closedUrl,
        '--out',
        out,
      ],
      { cwd: root },
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(/base latest-stable: cannot be used: .*ECONNREFUSED/);
    expect(r.exitCode).toBe(2);
    const report = JSON.parse(await readFile(path.join(out, 'matrix.json'), 'utf8')) as Report;
    expect(report.bases.map((b) => `${b.spec}:${b.kind ?? 'kernel.org'}${b.error ? ':failed' : ''}`)).toEqual([
      '6.6.10:kernel.org',
      'dist:5.14.0-580.el9:distribution',
      'dist:5.14.0-590.el9:distribution',
      'latest-stable:kernel.org:failed',
    ]);
    const cell = (v: string, b: string) => report.cells.find((c) => c.variant === v && c.base === b)!;
    // the kmod on kernel.org, the vanilla variant on distribution kernels: unchecked on every row, (variant) included
    for (const c of [cell('kmod-hello', '6.6.10'), cell('tracked', 'dist:5.14.0-580.el9')]) {
      expect(c.status).toBe('unchecked');
      expect(Object.values(c.features).map((f) => f.status)).toEqual(expect.arrayContaining(['unchecked']));
      expect(Object.values(c.features).every((f) => f.status === 'unchecked')).toBe(true);
    }
    // no kernel-devel in the column: the folders were found, but Kconfig, compile test and kABI did not run: grey, never green
    expect(cell('kmod-hello', 'dist:5.14.0-580.el9')).toMatchObject({
      status: 'unchecked',
      features: { hello: { status: 'unchecked', codes: [] } },
    });
    expect((cell('kmod-hello', 'dist:5.14.0-580.el9') as { skipped?: string[] }).skipped?.join('\n')).toMatch(
      /^kconfig \(.*\)\nbuild \(no kernel-devel given/m,
    );
    expect(cell('kmod-hello', 'dist:5.14.0-590.el9')).toMatchObject({
      status: 'broken',
      features: { hello: { status: 'broken', codes: ['E_KMOD_FOLDER_MISSING'] } },
    });
    expect(cell('tracked', '6.6.10').status).toBe('ok');
    for (const v of ['kmod-hello', 'tracked'])
      expect(cell(v, 'latest-stable')).toMatchObject({
        status: 'broken',
        features: { '(variant)': { codes: ['E_MATRIX_BASE_UNAVAILABLE'] } },
      });
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain('1 of 8 composed and checked without errors, 3 broken, 4 unchecked');
    expect(html).toMatch(/class="cell unchecked" title="not checked: kconfig/);
    expect(html).toMatch(/class="base failed"[^>]*>latest-stable/);
  });

  it('a matrix in which no cell was checked exits 5, not 0', async () => {
    const r = await runKplay(
      ['matrix', 'variants/kmod-hello.yml', '--base', 'dist:5.14.0-580.el9=trees/5.14.0-580.el9', '--out', path.join(root, 'out/m5')],
      { cwd: root },
    );
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/0 ok, 0 with warnings, 0 broken, 1 unchecked/);
    expect(r.stderr).toMatch(/nothing was checked/);
  });

  it('the issue\'s case: a repo: column without kernel-devel is grey, never "1 of 1 composed and checked", and the matrix exits 5', async () => {
    stream.publish([
      { name: 'kernel-devel', versionRelease: '5.14.0-570.el9', arch: 'x86_64' },
      { name: 'kernel-devel', versionRelease: '5.14.0-580.el9', arch: 'x86_64' },
    ]);
    const out = path.join(root, 'out/repo-grey');
    const r = await runKplay(['matrix', 'variants/kmod-hello.yml', '--base', `repo:${stream.url}=trees/{kernel}`, '--out', out], {
      cwd: root,
    });
    expect(r.exitCode, r.stderr).toBe(5);
    const report = JSON.parse(await readFile(path.join(out, 'matrix.json'), 'utf8')) as Report;
    expect(report.cells.map((c) => `${c.variant}@${c.base}:${c.status}`)).toEqual(['kmod-hello@dist:5.14.0-580.el9:unchecked']);
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(html).not.toContain('1 of 1 composed and checked without errors');
    expect(html).toContain('0 of 1 composed and checked without errors, 0 broken, 1 unchecked');
  });
});
