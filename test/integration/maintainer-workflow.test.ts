import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO, variantYaml } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

describe('adding a feature: new → edit → check → compose', () => {
  it('walks through the README steps', async () => {
    const root = await makeFixtureRepo({
      'variants/v.yml': variantYaml(),
      'features/.keep': '',
      'fix.patch': 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n',
    });
    const created = await runKplay(
      [
        'feature',
        'new',
        'bbr',
        '--kernel',
        '>=5.4',
        '--config',
        'CONFIG_TCP_CONG_BBR=m',
        '--from-patch',
        'fix.patch',
        '--summary',
        'TCP BBR',
      ],
      { cwd: root },
    );
    expect(created.stderr).toBe('');
    expect(created.exitCode).toBe(0);
    expect(created.stdout).toContain('features/bbr/feature.yml');
    const yml = await readFile(path.join(root, 'features/bbr/feature.yml'), 'utf8');
    expect(yml.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schemas/feature.schema.json');
    expect(await readFile(path.join(root, 'features/bbr/series'), 'utf8')).toContain('fix.patch');
    // edit the fragment
    const frag = path.join(root, 'features/bbr/config');
    await writeFile(frag, `${await readFile(frag, 'utf8')}CONFIG_DEFAULT_BBR=y\n`);
    const checked = await runKplay(['check'], { cwd: root });
    expect(checked.stderr).toContain('0 errors');
    expect(checked.exitCode).toBe(0);
    await writeFile(path.join(root, 'variants/v.yml'), variantYaml({ features: ['bbr'] }));
    const composed = await runKplay(['compose', 'variants/v.yml'], { cwd: root });
    expect(composed.exitCode, composed.stderr).toBe(0);
    const requested = await readFile(path.join(root, 'out/test/kplay-x86_64.requested.config'), 'utf8');
    expect(requested).toContain('CONFIG_TCP_CONG_BBR=m');
    expect(requested).toContain('CONFIG_DEFAULT_BBR=y');
  });

  it('scaffolds the per-version layout: --for-kernel puts the patch in patches/<series>/, and compose picks it per base', async () => {
    const root = await makeFixtureRepo({
      'variants/.keep': '',
      'fix.patch': 'From: kplay test\nSubject: [PATCH] fix\n\n--- a/README\n+++ b/README\n@@ -1,1 +1,1 @@\n-a\n+b\n',
    });
    const created = await runKplay(['feature', 'new', 'fix', '--kernel', '>=6.1', '--from-patch', 'fix.patch', '--for-kernel', '6.12+'], {
      cwd: root,
    });
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toContain('features/fix/patches/6.12+/fix.patch');
    expect(await readFile(path.join(root, 'features/fix/series'), 'utf8')).toContain('6.12+/fix.patch');
    expect(await readFile(path.join(root, 'features/fix/README.md'), 'utf8')).toContain('patches/<major.minor>/');
    await writeFile(path.join(root, 'variants/old.yml'), variantYaml({ name: 'old', version: '6.1.192', features: ['fix'] }));
    const old = await runKplay(['compose', 'variants/old.yml'], { cwd: root });
    expect(old.exitCode, old.stderr).toBe(0);
    expect(old.stdout).toContain('left out: features/fix/patches/6.12+/fix.patch (feature fix): for kernel >=6.12, the base is 6.1.192');
    const bad = await runKplay(['feature', 'new', 'other', '--for-kernel', 'latest'], { cwd: root });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--for-kernel 'latest'");
  });

  it('refuses an existing name and an invalid one, writing nothing', async () => {
    const root = await makeFixtureRepo({ 'features/a/feature.yml': 'summary: a\n' });
    const again = await runKplay(['feature', 'new', 'a'], { cwd: root });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('features/a already exists');
    const bad = await runKplay(['feature', 'new', '../evil'], { cwd: root });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("'../evil' is not a valid feature name");
    const badConfig = await runKplay(['feature', 'new', 'b', '--config', 'TCP=m'], { cwd: root });
    expect(badConfig.exitCode).toBe(2);
    expect((await runKplay(['list', '--json'], { cwd: root })).stdout).not.toContain('"b"');
  });
});

describe('list and diff on the shipped repository', () => {
  it('lists features with the variants that use them', async () => {
    const r = await runKplay(['list', '--json'], { cwd: ROOT_OF_REPO });
    const rows = JSON.parse(r.stdout) as Array<{ name: string; usedBy: string[]; patches: number; kernel: string }>;
    const wg = rows.find((x) => x.name === 'wireguard')!;
    expect(wg.kernel).toBe('>=5.6');
    expect(wg.usedBy).toEqual(expect.arrayContaining(['playground', 'playground-plus']));
    // one patch per kernel line (<6.5, >=6.6)
    expect(rows.find((x) => x.name === 'overlayfs')!.patches).toBe(2);
    const v = JSON.parse((await runKplay(['list', 'variants', '--json'], { cwd: ROOT_OF_REPO })).stdout) as Array<{ name: string }>;
    expect(v.map((x) => x.name)).toEqual(expect.arrayContaining(['playground', 'playground-plus']));
  });

  it('diffs two variants with provenance', async () => {
    const r = await runKplay(['diff', 'variants/playground.yml', 'variants/playground-plus.yml', '--arch', 'aarch64', '--json'], {
      cwd: ROOT_OF_REPO,
    });
    const d = JSON.parse(r.stdout) as { featuresAdded: string[]; config: Array<{ symbol: string; b?: { by: string } }> };
    expect(d.featuresAdded).toEqual(['deprecated-drivers/megaraid_sas', 'deprecated-drivers/mptsas', 'deprecated-drivers/qla4xxx']);
    expect(d.config.find((c) => c.symbol === 'CONFIG_FUSION_SAS')?.b?.by).toBe('feature deprecated-drivers/mptsas');
    expect(d.config.find((c) => c.symbol === 'CONFIG_SCSI_QLA_ISCSI')).toBeUndefined(); // x86_64/ppc64le only
  });
});

describe('diff names the base and arch changes', () => {
  it('shows a kernel version bump and an added arch with the line that set them', async () => {
    const root = await makeFixtureRepo({
      'variants/a.yml': variantYaml({ name: 'a', version: '6.1.192' }),
      'variants/b.yml': variantYaml({ name: 'b', version: '6.12.117' }).replace('arches: [x86_64]', 'arches: [x86_64, aarch64]'),
    });
    const json = await runKplay(['diff', 'variants/a.yml', 'variants/b.yml', '--json'], { cwd: root });
    expect(json.exitCode, json.stderr).toBe(0);
    const d = JSON.parse(json.stdout) as { base?: { a: { version: string; at: string }; b: { version: string } }; archesAdded: string[] };
    expect(d.base?.a.version).toBe('6.1.192');
    expect(d.base?.b.version).toBe('6.12.117');
    expect(d.base?.a.at).toMatch(/variants\/a\.yml:5$/);
    expect(d.archesAdded).toEqual(['aarch64']);
    const text = await runKplay(['diff', 'variants/a.yml', 'variants/b.yml'], { cwd: root });
    expect(text.stdout).toMatch(/^- base vanilla 6\.1\.192 from \S+linux-6\.1\.192\.tar\.xz/m);
    expect(text.stdout).toMatch(/^\+ base vanilla 6\.12\.117 from \S+linux-6\.12\.117\.tar\.xz/m);
    expect(text.stdout).toMatch(/^\+ arch aarch64$/m);
    // the same base on both sides is not reported
    const same = await runKplay(['diff', 'variants/a.yml', 'variants/a.yml', '--json'], { cwd: root });
    expect((JSON.parse(same.stdout) as { base?: unknown }).base).toBeUndefined();
  });
});

describe('help', () => {
  it('every command lists its options with at least one example', async () => {
    const commands = [
      ['compose'],
      ['srpm'],
      ['submit'],
      ['check'],
      ['list'],
      ['diff'],
      ['feature', 'new'],
      ['explain'],
      ['kconfig', 'resolve'],
      ['patches', 'check'],
      ['matrix'],
      ['track'],
      ['status'],
      ['cancel'],
      ['promote'],
      ['keys', 'new'],
      ['sign'],
      ['kmm'],
      ['kabi'],
    ];
    const top = await runKplay(['--help']);
    for (const c of commands) expect(top.stdout, c[0]).toContain(`  ${c[0]}`);
    for (const c of commands) {
      const r = await runKplay([...c, '--help']);
      expect(r.exitCode, c.join(' ')).toBe(0);
      expect(r.stdout, c.join(' ')).toMatch(/Options:\n/);
      expect(r.stdout, c.join(' ')).toMatch(new RegExp(`Examples?:\\n\\s+\\$ kplay ${c.join(' ')}`));
    }
  });
});
