import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { ROOT_OF_REPO } from '../support/paths.js';
import { runKplay } from '../support/run-kplay.js';

/**
 * `kplay try` builds the patched tree: the tree's Makefile is a contributor's code (a feature patch
 * may change it). A hand-made 6.6.10 tree whose feature patch adds, at the Makefile's top level
 * (run when make reads it, before any target), a `$(shell …)` that writes a canary outside, opens
 * a socket to a listening port and leaves a process behind, then stops make with the shell's
 * output: the finding proves the Makefile ran, inside the sandbox. ~3 s (no real kernel is built).
 */
describe('kplay try: a hostile Makefile in the tree runs in the sandbox', () => {
  let outside: string;
  let server: net.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    // neither under /tmp nor $HOME, which the sandbox replaces (a canary there would be hidden, not refused)
    outside = path.join(ROOT_OF_REPO, `.kplay-try-outside-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    server?.close();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  it('no canary, no connection, no process left; the build fails with the probe in E_TRY_BUILD', async () => {
    const canary = path.join(outside, 'canary');
    const makefile = 'VERSION = 6\nPATCHLEVEL = 6\nSUBLEVEL = 10\nEXTRAVERSION =\nNAME = Fixture\n';
    const hostile = [
      `PROBE := $(shell touch ${canary} 2>&1; (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>&1 | head -c 80; (sleep 30; touch ${canary}) >/dev/null 2>&1 &)`,
      '$(error TRYPROBE $(PROBE))',
    ].join('\n');
    const patch = [
      '--- a/Makefile',
      '+++ b/Makefile',
      '@@ -3,3 +3,5 @@',
      ' SUBLEVEL = 10',
      ' EXTRAVERSION =',
      ' NAME = Fixture',
      ...hostile.split('\n').map((l) => `+${l}`),
      '',
    ].join('\n');
    const root = await makeFixtureRepo({
      'variants/t.yml':
        'name: t\nsummary: t\nbase:\n  kind: vanilla\n  version: "6.6.10"\n  config:\n    x86_64: defconfig\narches: [x86_64]\nfeatures: [evil]\n',
      'features/evil/feature.yml': 'summary: evil\n',
      'features/evil/patches/0001-evil.patch': patch,
      'linux-6.6.10/Makefile': makefile,
      'linux-6.6.10/Kconfig':
        'mainmenu "Linux"\n\nconfig MODULES\n\tbool "m"\n\tdefault y\n\tmodules\n\nsource "arch/$(SRCARCH)/Kconfig"\n',
      'linux-6.6.10/arch/x86/Kconfig': 'config X86\n\tdef_bool y\n',
      'linux-6.6.10/arch/x86/configs/x86_64_defconfig': '\n',
      'linux-6.6.10/kernel/configs/tiny.config': '',
      'linux-6.6.10/kernel/configs/kvm_guest.config': '',
    });
    await mkdir(path.join(root, 'cache'), { recursive: true });
    await execa('tar', ['-cJf', 'linux-6.6.10.tar.xz', 'linux-6.6.10'], { cwd: root });
    await writeFile(path.join(root, '.gitignore'), 'cache/\n');
    const r = await runKplay(['try', 'variants/t.yml', '--kernel-source', 'linux-6.6.10.tar.xz', '--json'], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: path.join(root, 'cache') },
    });
    const report = JSON.parse(r.stdout) as { findings: Array<{ code: string; message: string }> };
    const build = report.findings.find((f) => f.code === 'E_TRY_BUILD');
    // the Makefile ran (its $(error) is the build's error) and its touch was refused by the sandbox
    // (read-only; under /tmp, as in a CI clone there, hidden by the sandbox's own /tmp instead)
    expect(build?.message, r.stderr).toMatch(/TRYPROBE touch: cannot touch [^ ]+: (Read-only file system|No such file or directory)/);
    expect(r.exitCode).toBe(1);
    await new Promise((res) => setTimeout(res, 500));
    expect(existsSync(canary)).toBe(false);
    expect(connections).toBe(0);
    // nothing the build started is still running (the delayed writer was killed with the sandbox)
    const ps = await execa('ps', ['-eo', 'args'], { reject: false });
    expect(ps.stdout).not.toContain(canary);
    // and no work folder is left
    const work = path.join(root, 'cache', 'try', 'work');
    expect(existsSync(work) ? readdirSync(work) : []).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });
});
