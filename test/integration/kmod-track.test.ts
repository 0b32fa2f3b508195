import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKojiTagServer, type KojiTagServer } from '../support/distribution-repo/koji-tag-server.js';
import {
  startRepoMetadataServer,
  startWebhookServer,
  type RepoMetadataServer,
  type RepoPackage,
  type WebhookServer,
} from '../support/distribution-repo/repo-metadata-server.js';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { makeCbsSandbox, type CbsSandbox } from '../support/koji/cbs-sandbox.js';
import { startKojiHub, type RunningKojiHub } from '../support/koji/koji-hub-server.js';
import { runKplay } from '../support/run-kplay.js';

const MODULE_C = '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n';
const OLD_SHA = createHash('sha256').update('linux-5.14.0-570.el9.tar.xz as the test imagines it').digest('hex');

const VARIANT = [
  '# kmods SIG: a tiny module rebuilt for every Stream 9 kernel',
  'name: kmod-hello',
  'type: kmod',
  'summary: hello module',
  'kmod:',
  '  kernel-version: "5.14.0-570.el9"   # followed by kplay track --repo',
  '  source:',
  '    url: https://sources.example.org/linux-5.14.0-570.el9.tar.xz',
  `    sha256: ${OLD_SHA}`,
  '    topdir: linux-5.14.0-570.el9',
  '  modules:',
  '    hello: [drivers/misc/kplay_hello]',
  'arches: [x86_64, aarch64]',
  'features: [hello]',
  '',
].join('\n');

const kernelDevel = (vr: string): RepoPackage[] => [
  { name: 'kernel-devel', versionRelease: vr, arch: 'x86_64' },
  { name: 'kernel-devel', versionRelease: vr, arch: 'aarch64' },
  { name: 'kernel-devel-matched', versionRelease: vr, arch: 'x86_64' },
];

describe('kplay track follows a distribution repository for a kmod', () => {
  let repo: RepoMetadataServer;
  let hook: WebhookServer;
  let koji: KojiTagServer;
  let root: string;
  beforeAll(async () => {
    [repo, hook, koji] = await Promise.all([startRepoMetadataServer(), startWebhookServer(), startKojiTagServer()]);
    root = await makeFixtureRepo({
      'variants/kmod-hello.yml': VARIANT,
      'features/hello/feature.yml': 'summary: hello\n',
      'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
      // the kernels' sources as the checks see them: 580 still has the module, 590 dropped it
      'trees/5.14.0-580.el9/drivers/misc/kplay_hello/Makefile': 'obj-$(CONFIG_KPLAY_HELLO) += kplay_hello.o\n',
      'trees/5.14.0-580.el9/drivers/misc/kplay_hello/kplay_hello.c': MODULE_C,
      'trees/5.14.0-590.el9/drivers/misc/Makefile': 'obj-y += eeprom/\n',
    });
  });
  afterAll(async () => {
    await Promise.all([repo.close(), hook.close(), koji.close()]);
    await rm(root, { recursive: true, force: true });
  });

  const track = (extra: string[]) =>
    runKplay(
      [
        'track',
        'variants/kmod-hello.yml',
        '--repo',
        repo.url,
        '--kernel-source',
        'trees/{kernel}',
        '--state',
        '.kplay/state.json',
        '--json',
        ...extra,
      ],
      { cwd: root },
    );

  it('nothing newer in the repository: up to date', async () => {
    repo.publish([
      ...kernelDevel('5.14.0-570.el9'),
      ...kernelDevel('5.14.0-503.el9'),
      { name: 'kernel-devel', versionRelease: '6.12.0-55.el10', arch: 'x86_64' },
    ]);
    const r = await track([]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'up-to-date', current: '5.14.0-570.el9' });
    expect(repo.requests.some((p) => /^\/repodata\/[0-9a-f]{64}-primary\.xml\.gz$/.test(p))).toBe(true);
  });

  it('a new kernel-devel without a kernel-devel tree to check it with: not green, not bumped (exit 5), with or without --dry-run', async () => {
    repo.publish([...kernelDevel('5.14.0-570.el9'), ...kernelDevel('5.14.0-580.el9')]);
    const before = await readFile(path.join(root, 'variants/kmod-hello.yml'), 'utf8');
    for (const extra of [[], ['--dry-run']]) {
      const r = await track(extra);
      expect(r.exitCode, r.stderr).toBe(5);
      const result = JSON.parse(r.stdout) as { outcome: string; skipped: string[] };
      expect(result.outcome).toBe('unchecked');
      expect(result.skipped.join('\n')).toMatch(/^build \(no kernel-devel given/m);
      expect(result.skipped.join('\n')).toMatch(/^kconfig \(/m);
    }
    const plain = await runKplay(['track', 'variants/kmod-hello.yml', '--repo', repo.url, '--state', '.kplay/state.json'], { cwd: root });
    expect(plain.exitCode).toBe(5);
    expect(plain.stdout).toMatch(/5\.14\.0-580\.el9 was not checked \(\d check\(s\) skipped\).*left at 5\.14\.0-570\.el9/);
    expect(plain.stdout).not.toMatch(/is green/);
    expect(await readFile(path.join(root, 'variants/kmod-hello.yml'), 'utf8')).toBe(before);
    expect(existsSync(path.join(root, 'out/kmod-hello'))).toBe(false);
  });

  it('--unchecked: the variant bumped (comments kept, stale digest dropped, a changelog entry saying so), the package rebuilt with a new Release', async () => {
    repo.publish([
      ...kernelDevel('5.14.0-570.el9'),
      ...kernelDevel('5.14.0-580.el9'),
      { name: 'kernel-devel', versionRelease: '6.12.0-55.el10', arch: 'x86_64' },
    ]);
    const r = await track(['--unchecked']);
    expect(r.exitCode, r.stderr).toBe(3);
    const result = JSON.parse(r.stdout) as { outcome: string; release: string; spec: string; skipped: string[] };
    expect(result).toMatchObject({ outcome: 'bumped', release: '5.14.0-580.el9' });
    expect(result.skipped.some((x) => x.startsWith('build'))).toBe(true);
    const text = await readFile(path.join(root, 'variants/kmod-hello.yml'), 'utf8');
    expect(text).toContain('  kernel-version: "5.14.0-580.el9"   # followed by kplay track --repo');
    expect(text).toContain('url: https://sources.example.org/linux-5.14.0-580.el9.tar.xz');
    expect(text).toContain('topdir: linux-5.14.0-580.el9');
    expect(text).not.toContain(OLD_SHA);
    expect(text.startsWith('# kmods SIG: a tiny module')).toBe(true);
    const q = (await execa('rpmspec', ['-q', '--srpm', '--qf', '%{release}\n[%{requirenevrs}\n]', result.spec, '--define', 'dist .el9']))
      .stdout;
    expect(q.split('\n')[0]).toBe('1.k580.el9');
    expect(q).toContain('kernel-devel = 5.14.0-580.el9');
    const bin = (await execa('rpmspec', ['-q', '--qf', '[%{requirenevrs}\n]', result.spec, '--define', '_target_cpu x86_64'])).stdout;
    expect(bin).toContain('(kernel = 5.14.0-580.el9 if kernel)');
    // the changelog entry of the bump, in the variant and in the spec, with the EVR of the package it describes
    expect(text).toMatch(
      /changelog:\n {2}- date: '\d{4}-\d{2}-\d{2}'\n {4}author: "kplay track"\n {4}kernel: '5\.14\.0-580\.el9'\n {4}text: "Rebuild for kernel 5\.14\.0-580\.el9; bumped with kplay track --unchecked/,
    );
    const log = (
      await execa('rpmspec', ['-q', '--srpm', '--qf', '%{changelogname}\n%{changelogtext}\n', result.spec, '--define', 'dist .el9'])
    ).stdout;
    expect(log.split('\n')[0]).toMatch(/^kplay track - 5\.14\.0-1\.k580\.el9$/);
    expect(log).toContain('--unchecked');
  });

  it('a break seen with no outcome recorded for the current kernel: the current kernel is checked as the baseline, so the report names what changed', async () => {
    repo.publish([...kernelDevel('5.14.0-580.el9'), ...kernelDevel('5.14.0-590.el9')]);
    const r = await track(['--state', '.kplay/fresh-state.json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as { baseline: string; changes: Array<{ feature: string; added: string[] }> };
    expect(result.baseline).toMatch(/^5\.14\.0-580\.el9 checked now \(unchecked; not checked: /);
    expect(result.changes).toEqual([expect.objectContaining({ feature: 'hello', added: ['E_KMOD_FOLDER_MISSING'] })]);
    const state = JSON.parse(await readFile(path.join(root, '.kplay/fresh-state.json'), 'utf8')) as {
      variants: Record<string, { results: Record<string, unknown> }>;
    };
    expect(Object.keys(state.variants['kmod-hello']!.results).sort()).toEqual(['5.14.0-580.el9', '5.14.0-590.el9']);
  });

  it('a kernel that breaks the module: not bumped, a break report written and POSTed to the webhook', async () => {
    repo.publish([...kernelDevel('5.14.0-580.el9'), ...kernelDevel('5.14.0-590.el9')]);
    const r = await track(['--webhook', hook.url, '--report', 'out/break.json']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain('posted the break report to the webhook (HTTP 200)');
    expect(r.stderr).not.toContain('secret');
    expect(hook.posts).toHaveLength(1);
    const post = hook.posts[0]!;
    expect(post.contentType).toMatch(/application\/json/);
    const body = post.body as {
      text: string;
      title: string;
      report: { newKernel: string; currentKernel: string; package: string; modules: string[]; firstFinding: { code: string } };
    };
    expect(body.title).toBe('kmod-hello breaks on kernel 5.14.0-590.el9: E_KMOD_FOLDER_MISSING');
    expect(body.report).toMatchObject({
      newKernel: '5.14.0-590.el9',
      currentKernel: '5.14.0-580.el9',
      package: 'kmod-hello',
      modules: ['drivers/misc/kplay_hello'],
      firstFinding: { code: 'E_KMOD_FOLDER_MISSING' },
    });
    expect(body.text).toMatch(
      /kmod-hello \(drivers\/misc\/kplay_hello\) does not build on kernel 5\.14\.0-590\.el9, seen in http:\/\/127\.0\.0\.1:\d+\/repo/,
    );
    expect(body.text).toMatch(
      /variants\/kmod-hello\.yml:\d+:\d+: error E_KMOD_FOLDER_MISSING: module folder drivers\/misc\/kplay_hello of hello does not exist/,
    );
    const saved = JSON.parse(await readFile(path.join(root, 'out/break.json'), 'utf8')) as { title: string };
    expect(saved.title).toBe(body.title);
    expect(await readFile(path.join(root, 'variants/kmod-hello.yml'), 'utf8')).toContain('kernel-version: "5.14.0-580.el9"');
  });

  it('a Koji tag (listTagged of the kernel package) works the same way; an unknown tag is a usage error', async () => {
    koji.tag('kmods9s-packages-main-build', ['5.14.0-580.el9', '5.14.0-585.el9', '5.14.0-1.el10']);
    const r = await runKplay(
      [
        'track',
        'variants/kmod-hello.yml',
        '--koji',
        koji.url,
        '--koji-tag',
        'kmods9s-packages-main-build',
        '--dry-run',
        '--unchecked',
        '--state',
        '.kplay/state.json',
        '--json',
      ],
      { cwd: root },
    );
    expect(r.exitCode, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'green-not-written', release: '5.14.0-585.el9' });
    const call = koji.calls.find((c) => c.method === 'listTagged')!;
    expect(call.params[0]).toBe('kmods9s-packages-main-build');
    expect(call.params[1]).toMatchObject({ package: 'kernel', __starstar: true });
    const bad = await runKplay(
      ['track', 'variants/kmod-hello.yml', '--koji', koji.url, '--koji-tag', 'nope', '--state', '.kplay/state.json'],
      { cwd: root },
    );
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/listTagged failed: .*No such tagInfo/);
    expect(existsSync(path.join(root, 'out/kmod-hello'))).toBe(true);
  });
});

describe('kplay track --submit: a kmod rebuilt for a new kernel goes to CBS', () => {
  let repo: RepoMetadataServer;
  let hub: RunningKojiHub;
  let box: CbsSandbox;
  let root: string;
  beforeAll(async () => {
    [repo, hub] = await Promise.all([startRepoMetadataServer(), startKojiHub()]);
    box = makeCbsSandbox({ hubUrl: hub.url });
    root = await makeFixtureRepo({
      'features/hello/feature.yml': 'summary: hello\n',
      'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
      'src/hello-1.0/drivers/misc/kplay_hello/Makefile': 'obj-$(CONFIG_KPLAY_HELLO) += kplay_hello.o\n',
      'src/hello-1.0/drivers/misc/kplay_hello/kplay_hello.c': MODULE_C,
    });
    // an out-of-tree driver tarball (like wireguard-linux-compat): its digest holds for every kernel
    await execa('mkdir', ['-p', path.join(root, 'tarballs')]);
    const tarball = path.join(root, 'tarballs/hello-1.0.tar.xz');
    await execa('tar', ['-C', path.join(root, 'src'), '-cJf', tarball, 'hello-1.0']);
    const sha = createHash('sha256')
      .update(await readFile(tarball))
      .digest('hex');
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(path.join(root, 'variants'), { recursive: true });
    await writeFile(
      path.join(root, 'variants/kmod-hello.yml'),
      VARIANT.replace('https://sources.example.org/linux-5.14.0-570.el9.tar.xz', `file://${tarball}`)
        .replace(OLD_SHA, sha)
        .replace('topdir: linux-5.14.0-570.el9', 'topdir: hello-1.0') +
        'targets:\n  cbs: { target: kmods9s-packages-main-el9s, scratch: true }\n',
    );
    repo.publish([...kernelDevel('5.14.0-570.el9'), ...kernelDevel('5.14.0-580.el9')]);
  });
  afterAll(async () => {
    await Promise.all([repo.close(), hub.close()]);
    await rm(root, { recursive: true, force: true });
    await rm(box.root, { recursive: true, force: true });
  });

  it('bumps, builds the SRPM for the new kernel (new Release) and submits it to the variant target', async () => {
    const r = await runKplay(
      [
        'track',
        'variants/kmod-hello.yml',
        '--repo',
        repo.url,
        '--kernel-source',
        'tarballs/hello-1.0.tar.xz',
        '--state',
        '.kplay/state.json',
        '--unchecked',
        '--submit',
      ],
      { cwd: root, env: { ...box.env(), PATH: `${box.bin}${path.delimiter}${process.env.PATH}` } },
    );
    expect(r.exitCode, r.stderr + r.stdout).toBe(3);
    const run = box.cliRuns().at(-1)!;
    expect(run.prog).toBe('cbs');
    expect(run.argv.slice(0, 4)).toEqual(['build', '--scratch', '--nowait', 'kmods9s-packages-main-el9s']);
    expect(path.basename(run.argv[4]!)).toBe('kmod-hello-5.14.0-1.k580.src.rpm');
  });
});
