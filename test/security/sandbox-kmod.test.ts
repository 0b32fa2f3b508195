import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSystemFile } from '../support/kernel-tree.js';
import { ROOT_OF_REPO } from '../support/paths.js';
import { startRepoMetadataServer } from '../support/distribution-repo/repo-metadata-server.js';
import { cleanupRepos, hostileRepo, runKplay } from './support/hostile-repo.js';

/**
 * Hostile kmod feature patches (issue 23): the compile test (`make -C <kernel-devel> M=…`) of
 * `kplay compose` runs the module folder's Makefile, Kbuild, ccflags and rules, so it runs in the
 * sandbox. Each case asserts: a canary outside the work folder is never created, a file outside
 * is never quoted, the network is unreachable, the outcome is a clean pass or a located finding,
 * and no process and no scratch folder is left. matrix and track reach the same compile test
 * (composeKmod → compileKmod). Each compose builds one tiny module against Debian's
 * linux-headers: ~3 s.
 */
function debianHeaders(): string {
  const dirs = existsSync('/usr/src') ? readdirSync('/usr/src').filter((d) => /^linux-headers-6\.1\..*-amd64$/.test(d)) : [];
  if (!dirs.length) throw new Error('no /usr/src/linux-headers-6.1*-amd64: install the Debian package linux-headers-amd64 (bookworm)');
  return path.join('/usr/src', dirs.sort().at(-1)!);
}
requireSystemFile('/usr/bin/bwrap', 'bubblewrap');

const MOD = 'drivers/misc/kplay_hello';
const MAKEFILE = 'obj-$(CONFIG_KPLAY_HELLO) += kplay_hello.o\n';
const SOURCE = [
  '#include <linux/module.h>',
  'static int __init h(void) { return 0; }',
  'module_init(h);',
  'MODULE_LICENSE("GPL");',
  '',
].join('\n');

/** A patch adding `lines` at the top of the module's Makefile. */
function makefilePatch(lines: string[]): string {
  return [
    `--- a/${MOD}/Makefile`,
    `+++ b/${MOD}/Makefile`,
    `@@ -1 +1,${lines.length + 1} @@`,
    ...lines.map((l) => `+${l}`),
    ` ${MAKEFILE.trimEnd()}`,
    '',
  ].join('\n');
}

/** A patch creating a new file in the module folder. */
function newFilePatch(name: string, lines: string[]): string {
  return [`--- /dev/null`, `+++ b/${MOD}/${name}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
}

/** A patch replacing the C source with `lines`. */
function sourcePatch(lines: string[]): string {
  const old = SOURCE.trimEnd().split('\n');
  return [
    `--- a/${MOD}/kplay_hello.c`,
    `+++ b/${MOD}/kplay_hello.c`,
    `@@ -1,${old.length} +1,${lines.length} @@`,
    ...old.map((l) => `-${l}`),
    ...lines.map((l) => `+${l}`),
    '',
  ].join('\n');
}

function processesWith(marker: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(marker)) out.push(`${name}: ${cmd.replace(/\0/g, ' ')}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('hostile kmod patches: the compile test runs in the sandbox', () => {
  let outside: string;
  let server: net.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    // neither under /tmp nor $HOME, which the sandbox replaces (a canary there would be hidden, not refused)
    outside = path.join(ROOT_OF_REPO, `.kplay-security-outside-kmod-${process.pid}`);
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'secret.h'), 'KPLAYSECRETWORD leaked here\n');
    server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.close();
    await rm(outside, { recursive: true, force: true });
    await cleanupRepos();
  });

  /** The hostile repository: a kmod variant whose feature patch is `patch`. */
  function repoWith(patch: string): Promise<string> {
    return hostileRepo({
      'variants/kmod-hello.yml': [
        'name: kmod-hello',
        'type: kmod',
        'summary: hello',
        'kmod:',
        '  kernel-version: "6.1.0-57"',
        '  source: { url: "https://example.org/linux-6.1.tar.xz" }',
        `  modules: { hello: [${MOD}] }`,
        'arches: [x86_64]',
        'features: [hello]',
      ].join('\n'),
      'features/hello/feature.yml': 'summary: hello\n',
      'features/hello/config': 'CONFIG_KPLAY_HELLO=m\n',
      'features/hello/patches/series': '0001-hostile.patch\n',
      'features/hello/patches/0001-hostile.patch': patch,
      [`src-tree/${MOD}/Makefile`]: MAKEFILE,
      [`src-tree/${MOD}/kplay_hello.c`]: SOURCE,
    });
  }

  /** Run kplay on a hostile repository; no sandbox process or scratch folder may be left. */
  async function kplayOn(
    root: string,
    args: string[],
    exit3IsInternal = true,
  ): Promise<{ exitCode: number; stderr: string; stdout: string }> {
    const before = readdirSync(os.tmpdir()).filter((n) => n.startsWith('kplay-kmod-build-'));
    const r = await runKplay(args, { cwd: root });
    // no process of the sandbox is left, and no scratch folder
    expect(processesWith('kplay-kmod-build-')).toEqual([]);
    expect(readdirSync(os.tmpdir()).filter((n) => n.startsWith('kplay-kmod-build-'))).toEqual(before);
    if (exit3IsInternal) expect(r.exitCode, r.stderr).not.toBe(3);
    expect(r.stderr).not.toMatch(/internal error/);
    return r;
  }

  async function composeWith(patch: string): Promise<{ exitCode: number; stderr: string; report: Record<string, unknown> }> {
    const root = await repoWith(patch);
    await mkdir(path.join(root, 'out'), { recursive: true });
    const r = await kplayOn(root, [
      'compose',
      'variants/kmod-hello.yml',
      '--kernel-source',
      'src-tree',
      '--kernel-devel',
      debianHeaders(),
      '--json',
    ]);
    return { exitCode: r.exitCode, stderr: r.stderr, report: JSON.parse(r.stdout) as Record<string, unknown> };
  }

  const canary = (tag: string) => path.join(outside, `CANARY-${tag}`);

  it('Makefile $(shell touch …) runs, but cannot create the canary outside the work folder (clean pass)', async () => {
    const c = canary('shell');
    const r = await composeWith(makefilePatch([`$(shell touch ${c} /tmp/CANARY-tmp $$HOME/CANARY-home)`]));
    expect(existsSync(c)).toBe(false);
    expect(existsSync(path.join(os.tmpdir(), 'CANARY-tmp'))).toBe(false);
    expect(existsSync(path.join(os.homedir(), 'CANARY-home'))).toBe(false);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((r.report.checks as Record<string, string>).build).toMatch(/built 1 module\(s\)/);
  });

  it('a make rule and a ccflags wrapper: no canary; a failing rule is a located E_KMOD_BUILD', async () => {
    const c1 = canary('rule');
    const c2 = canary('ccflags');
    const r = await composeWith(
      makefilePatch([
        `ccflags-y += $(shell touch ${c2}; echo -DKPLAY=1)`,
        '$(obj)/kplay_hello.o: $(obj)/gen.h',
        `$(obj)/gen.h: ; touch ${c1} && echo > $@`,
      ]),
    );
    expect(existsSync(c1)).toBe(false);
    expect(existsSync(c2)).toBe(false);
    expect(r.exitCode).toBe(1);
    const f = (r.report.findings as Array<{ code: string; where?: { file: string; line: number }; message: string }>).find(
      (x) => x.code === 'E_KMOD_BUILD',
    );
    expect(f?.where?.file).toMatch(/kmod-hello\.yml$/);
    expect(f?.message).toMatch(/Read-only file system|touch/);
  });

  it('a new Kbuild that starts a daemon writing outside later: no canary, no process left', async () => {
    const c = canary('kbuild');
    const r = await composeWith(
      newFilePatch('Kbuild', [`$(shell (sleep 3; touch ${c}) >/dev/null 2>&1 & echo)`, 'obj-$(CONFIG_KPLAY_HELLO) += kplay_hello.o']),
    );
    expect(r.exitCode, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 3500));
    expect(existsSync(c)).toBe(false);
  });

  it('#include of a file outside: its content never reaches the finding', async () => {
    const r = await composeWith(sourcePatch([`#include "${path.join(outside, 'secret.h')}"`, ...SOURCE.trimEnd().split('\n')]));
    expect(r.exitCode).toBe(1);
    expect(JSON.stringify(r.report)).not.toContain('leaked');
    expect(r.stderr + JSON.stringify(r.report)).not.toContain('KPLAYSECRETWORD');
    const f = (r.report.findings as Array<{ code: string; message: string }>).find((x) => x.code === 'E_KMOD_BUILD');
    // named without its content; or, when the test folder lives under /tmp, not even visible (the sandbox's /tmp is its own)
    expect(f?.message).toMatch(
      /secret\.h: (a file outside the module folders and the kernel-devel \(its content is not shown\)|No such file or directory)/,
    );
  });

  it('a Makefile that opens a socket: the network (even the host loopback) is unreachable', async () => {
    const c = canary('net');
    const script = `import socket\\ntry:\\n socket.create_connection(('127.0.0.1', ${port}), 2); open('${c}', 'w'); print('connected')\\nexcept OSError: print('unreachable')`;
    // $(error) shows what the probe saw in the finding: proof that it ran
    const r = await composeWith(makefilePatch([`$(error NETPROBE $(shell python3 -c "exec(\\"${script}\\")"))`]));
    expect(connections).toBe(0);
    expect(existsSync(c)).toBe(false);
    expect(r.exitCode).toBe(1);
    const f = (r.report.findings as Array<{ code: string; message: string }>).find((x) => x.code === 'E_KMOD_BUILD');
    expect(f?.message).toMatch(/NETPROBE unreachable/);
  });
  it('matrix on a distribution kernel (dist:…=TREE,KERNEL-DEVEL): the hostile Makefile runs in the sandbox, no canary', async () => {
    const c = canary('matrix');
    const root = await repoWith(makefilePatch([`$(shell touch ${c})`, `$(error MATRIXPROBE $(shell touch ${c}-2 2>&1))`]));
    const r = await kplayOn(root, [
      'matrix',
      'variants/kmod-hello.yml',
      '--base',
      `dist:6.1.0-57=src-tree,${debianHeaders()}`,
      '--out',
      'out/matrix',
      '--json',
    ]);
    expect(existsSync(c)).toBe(false);
    expect(existsSync(`${c}-2`)).toBe(false);
    // the compile test ran the Makefile: its $(error) (what the write saw) is the cell's finding
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as {
      cells: Array<{ variant: string; status: string; features: Record<string, { codes: string[] }> }>;
    };
    expect(report.cells.map((x) => `${x.variant}:${x.status}`)).toEqual(['kmod-hello:broken']);
    expect(report.cells[0]!.features.hello!.codes).toEqual(['E_KMOD_BUILD']);
    // under /tmp (a CI clone there) the sandbox's own /tmp hides the folder instead: both are the refusal
    expect(r.stdout).toMatch(/MATRIXPROBE touch: cannot touch [^ ]+: (Read-only file system|No such file or directory)/);
  });

  it('track --repo with --kernel-devel (and --dry-run): the hostile Makefile runs in the sandbox, no canary', async () => {
    const repo = await startRepoMetadataServer();
    try {
      repo.publish([
        { name: 'kernel-devel', versionRelease: '6.1.0-57', arch: 'x86_64' },
        { name: 'kernel-devel', versionRelease: '6.1.0-58', arch: 'x86_64' },
      ]);
      const c = canary('track');
      const root = await repoWith(makefilePatch([`$(shell touch ${c})`, `$(error TRACKPROBE $(shell touch ${c}-2 2>&1))`]));
      const r = await kplayOn(
        root,
        [
          'track',
          'variants/kmod-hello.yml',
          '--repo',
          repo.url,
          '--kernel-source',
          'src-tree',
          '--kernel-devel',
          debianHeaders(),
          '--state',
          '.kplay/state.json',
          '--dry-run',
          '--json',
        ],
        false,
      );
      expect(existsSync(c)).toBe(false);
      expect(existsSync(`${c}-2`)).toBe(false);
      // the compile test ran the Makefile (its $(error) is the finding: the new kernel "breaks" the variant)
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/TRACKPROBE touch: cannot touch [^ ]+: (Read-only file system|No such file or directory)/);
    } finally {
      await repo.close();
    }
  });
});
