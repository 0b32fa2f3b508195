import { execa } from 'execa';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

describe('type: kmod variants', () => {
  it('kmod-wireguard: the kmod spec passes rpmspec -P with kernel-devel, kernel Requires, depmod and weak-modules', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'kplay-kmod-'));
    const r = await runKplay(['compose', 'variants/kmod-wireguard.yml', '--out', out], { cwd: ROOT_OF_REPO });
    expect(r.exitCode, r.stderr).toBe(0);
    const parsed = (await execa('rpmspec', ['-P', path.join(out, 'kmod-wireguard.spec'), '--define', '_target_cpu x86_64'])).stdout;
    expect(parsed).toMatch(/^Name: +kmod-wireguard$/m);
    expect(parsed).toMatch(/^BuildRequires: +kernel-devel = 5\.14\.0-570\.el9$/m);
    expect(parsed).toMatch(/^Requires: +kernel >= 5\.14\.0-570\.el9$/m);
    expect(parsed).toMatch(/weak-modules --add-modules/);
    expect(parsed).toMatch(/^ {2}x86_64\) options="CONFIG_WIREGUARD=m" ;;$/m);
    expect(parsed).toMatch(/M=\$PWD\/drivers\/net\/wireguard .*modules$/m);
    expect(parsed).toMatch(/override \$\(basename \$ko \.ko\) \* weak-updates\/wireguard/);
    // another kernel-devel at build time
    const other = (await execa('rpmspec', ['-q', '--srpm', '--qf', '[%{requirenevrs}\n]', path.join(out, 'kmod-wireguard.spec'), '--define', 'kmod_kernel_version 5.14.0-580.el9'])).stdout;
    expect(other).toContain('kernel-devel = 5.14.0-580.el9');
  });

  it('without a stable kABI the package requires the exact kernel and runs depmod', async () => {
    const root = await makeFixtureRepo({
      'variants/m.yml': [
        'name: m',
        'type: kmod',
        'summary: "mptsas %(echo no)"',
        'kmod:',
        '  kernel-version: "6.1.0-26"',
        '  stable-kabi: false',
        '  source: { url: "https://example.org/linux-6.1.tar.xz" }',
        '  modules: { mptsas: [drivers/message/fusion] }',
        'arches: [x86_64]',
        'features: [mptsas]',
      ].join('\n'),
      'features/mptsas/feature.yml': 'summary: mptsas\n',
      'features/mptsas/config': 'CONFIG_FUSION_SAS=m\n',
    });
    const r = await runKplay(['compose', 'variants/m.yml'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(0);
    const parsed = (await execa('rpmspec', ['-P', path.join(root, 'out/m/kmod-m.spec')])).stdout;
    expect(parsed).toMatch(/^Requires: +kernel-uname-r = 6\.1\.0-26\./m);
    expect(parsed).toMatch(/depmod -a/);
    expect(parsed).not.toMatch(/weak-modules/);
    expect(parsed).toContain('Summary:        mptsas %(echo no)');
  });

  it('a feature without module folders is a finding', async () => {
    const root = await makeFixtureRepo({
      'variants/m.yml': 'name: m\ntype: kmod\nsummary: s\nkmod:\n  kernel-version: "6.1.0-26"\n  source: { url: "https://example.org/linux-6.1.tar.xz" }\n  modules: {}\narches: [x86_64]\nfeatures: [f]\n',
      'features/f/feature.yml': 'summary: f\n',
    });
    const r = await runKplay(['compose', 'variants/m.yml'], { cwd: root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/variants\/m\.yml:9:\d+: error E_KMOD_NO_MODULES/);
  });
});
