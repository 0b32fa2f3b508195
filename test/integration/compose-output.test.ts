import { execa } from 'execa';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO, variantYaml } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';

async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const abs = path.join(name.parentPath, name.name);
    out[path.relative(dir, abs)] = await readFile(abs, 'utf8');
  }
  return out;
}

describe('compose output of the shipped variants', () => {
  for (const variant of ['playground', 'playground-plus']) {
    it(`${variant}: composes offline, the spec passes rpmspec -P and rpmbuild -bs makes an SRPM`, async () => {
      const out = await tempDir(`kplay-${variant}-`);
      const r = await runKplay(['compose', `variants/${variant}.yml`, '--out', out], { cwd: ROOT_OF_REPO });
      expect(r.stderr).toContain('0 errors');
      expect(r.exitCode).toBe(0);
      const spec = path.join(out, `kernel-${variant}.spec`);
      const parsed = await execa('rpmspec', ['-P', spec, '--define', `_sourcedir ${out}`]);
      expect(parsed.stdout).toMatch(new RegExp(`^Name: +kernel-${variant}$`, 'm'));
      expect(parsed.stdout).toMatch(/^Provides: +kernel-uname-r = 6\.1\.192-1\.\w+\.x86_64$/m);
      expect(parsed.stdout).toMatch(/^Provides: +installonlypkg\(kernel\)$/m);
      expect(parsed.stdout).toMatch(/^%package devel$/m);
      expect(parsed.stdout).toMatch(/^bash .*kplay-check-config\.sh "\$requested" \.config$/m);
      expect(parsed.stdout).not.toMatch(/\|\| :/);
      // rpmbuild -bs needs every Source and Patch present: the tarball is the one the spec names
      await writeFile(path.join(out, 'linux-6.1.192.tar.xz'), 'placeholder tarball for -bs');
      const top = await tempDir('kplay-rpmtop-');
      await execa('rpmbuild', [
        '-bs',
        spec,
        '--define',
        `_topdir ${top}`,
        '--define',
        `_sourcedir ${out}`,
        '--define',
        `_srcrpmdir ${top}`,
      ]);
      const srpms = (await readdir(top)).filter((n) => n.endsWith('.src.rpm'));
      expect(srpms).toEqual([`kernel-${variant}-6.1.192-1.${variant === 'playground' ? 'playground' : 'plus'}.src.rpm`]);
      const listing = await execa('rpm', ['-qlp', path.join(top, srpms[0]!)]);
      expect(listing.stdout.split('\n')).toEqual(
        expect.arrayContaining([
          'kplay-x86_64.requested.config',
          'kplay-aarch64.requested.config',
          'kplay-check-config.sh',
          `kernel-${variant}.spec`,
        ]),
      );
      expect(listing.stdout).toMatch(/0001-overlayfs-0001-ovl-log-the-compiled-in-feature-defaults-at-module-init\.patch/);
    });
  }

  it('records provenance and inputs in manifest.json', async () => {
    const out = await tempDir('kplay-manifest-');
    expect((await runKplay(['compose', 'variants/playground-plus.yml', '--out', out], { cwd: ROOT_OF_REPO })).exitCode).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as {
      features: Array<{ name: string }>;
      config: Record<string, Record<string, { value: string; set_by: string; at: string } | undefined>>;
      variant: { files: string[] };
      inputs: Array<{ path: string; sha256: string }>;
    };
    expect(manifest.features.map((f) => f.name)).toEqual([
      'overlayfs',
      'wireguard',
      'deprecated-drivers/megaraid_sas',
      'deprecated-drivers/mptsas',
      'deprecated-drivers/qla4xxx',
    ]);
    expect(manifest.config.x86_64!.CONFIG_WIREGUARD).toEqual({
      value: 'm',
      set_by: 'feature wireguard',
      at: 'features/wireguard/feature.yml:8',
    });
    expect(manifest.config.aarch64!.CONFIG_SCSI_QLA_ISCSI).toBeUndefined(); // qla4xxx is x86_64 and ppc64le only
    expect(manifest.config.x86_64!.CONFIG_SCSI_LOWLEVEL!.at).toBe('variants/playground-plus.yml:12');
    expect(manifest.variant.files).toEqual(['variants/playground-plus.yml', 'variants/playground.yml']);
    const wgInput = manifest.inputs.find((i) => i.path === 'features/wireguard/feature.yml');
    expect(wgInput?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic: two composes from different folders give identical bytes', async () => {
    const a = await tempDir('kplay-det-a-');
    const b = await tempDir('kplay-det-b-');
    expect((await runKplay(['compose', 'variants/playground.yml', '--out', a], { cwd: ROOT_OF_REPO })).exitCode).toBe(0);
    expect(
      (await runKplay(['compose', path.join(ROOT_OF_REPO, 'variants/playground.yml'), '--out', b], { cwd: os.tmpdir() })).exitCode,
    ).toBe(0);
    expect(await readTree(b)).toEqual(await readTree(a));
  });

  it("is the same under any locale: names are ordered by code point, not by the builder's LANG (da_DK sorts aa after z)", async () => {
    const root = await makeFixtureRepo({
      'variants/v.yml': variantYaml({ features: ['aa', 'ab', 'zz'] }),
      ...Object.fromEntries(
        ['aa', 'ab', 'zz'].flatMap((f) => [
          [`features/${f}/feature.yml`, `summary: ${f}\n`],
          [`features/${f}/config`, `CONFIG_${f.toUpperCase()}=y\n`],
          [
            `features/${f}/patches/0001-${f}.patch`,
            `From: t <t@example.org>\nSubject: [PATCH] ${f}\n\n---\ndiff --git a/${f}.c b/${f}.c\n--- a/${f}.c\n+++ b/${f}.c\n@@ -1 +1 @@\n-a\n+b\n`,
          ],
        ]),
      ),
    });
    const outs: Array<Record<string, string>> = [];
    for (const lang of ['en_US.UTF-8', 'da_DK.UTF-8', 'sv_SE.UTF-8']) {
      const out = path.join(root, `out-${lang}`);
      const r = await runKplay(['compose', 'variants/v.yml', '--out', out], { cwd: root, env: { LANG: lang, LC_ALL: lang } });
      expect(r.exitCode, r.stderr).toBe(0);
      outs.push(await readTree(out));
    }
    const files = (JSON.parse(outs[0]!['manifest.json']!) as { outputs: Array<{ file: string }> }).outputs.map((o) => o.file);
    expect(files.findIndex((f) => f.includes('aa'))).toBeLessThan(files.findIndex((f) => f.includes('zz')));
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('leaves an earlier output untouched when a later compose finds errors', async () => {
    const root = await makeFixtureRepo({
      'variants/v.yml': variantYaml({ features: ['a'] }),
      'features/a/feature.yml': 'summary: a\n',
      'features/a/config': 'CONFIG_A=y\n',
      'features/b/feature.yml': 'summary: b\n',
      'features/b/config': 'CONFIG_A=m\n',
    });
    expect((await runKplay(['compose', 'variants/v.yml'], { cwd: root })).exitCode).toBe(0);
    await mkdir(path.join(root, 'out', 'test', 'state'), { recursive: true });
    await writeFile(path.join(root, 'out', 'test', 'state', 'copr-build.json'), '{"id": 7}');
    const before = await readTree(path.join(root, 'out', 'test'));
    await writeFile(path.join(root, 'variants/v.yml'), variantYaml({ features: ['a', 'b'] }));
    const r = await runKplay(['compose', 'variants/v.yml'], { cwd: root });
    expect(r.exitCode).toBe(1);
    expect(await readTree(path.join(root, 'out', 'test'))).toEqual(before);
    expect((await readdir(path.join(root, 'out'))).filter((n) => n.startsWith('.'))).toEqual([]);
    // a successful compose replaces the output but keeps submit state
    await writeFile(path.join(root, 'variants/v.yml'), variantYaml({ features: ['b'] }));
    expect((await runKplay(['compose', 'variants/v.yml'], { cwd: root })).exitCode).toBe(0);
    expect(await readFile(path.join(root, 'out/test/kplay-x86_64.requested.config'), 'utf8')).toContain('CONFIG_A=m');
    expect(existsSync(path.join(root, 'out/test/state/copr-build.json'))).toBe(true);
  });
});

describe('user values cannot run anything through RPM', () => {
  it('a %(shell) summary, description, changelog and URL stay text under rpmspec -P', async () => {
    const marker = path.join(os.tmpdir(), `kplay-pwned-${process.pid}-${Date.now()}`);
    const evil = `%(touch ${marker})`;
    const root = await makeFixtureRepo({
      'variants/v.yml': [
        'name: evil',
        `summary: "${evil}"`,
        `description: "see ${evil} %{name} %%"`, // a line starting with % is refused (test/security)
        'base:',
        '  kind: vanilla',
        '  version: "6.1.192"',
        '  source:',
        `    url: "https://example.org/%(id>${marker})/linux-6.1.192.tar.xz"`, // no space: a URL with whitespace is refused (E_SOURCE_URL)
        'arches: [x86_64]',
        'features: [f]',
        'changelog:',
        `  - { date: "2026-11-22", author: "A %(touch ${marker}) <a@b.c>", text: "${evil}" }`,
      ].join('\n'),
      'features/f/feature.yml': `summary: "feature ${evil}"\n`,
    });
    const r = await runKplay(['compose', 'variants/v.yml'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(0);
    const spec = path.join(root, 'out/evil/kernel-evil.spec');
    const parsed = await execa('rpmspec', ['-P', spec]);
    expect(existsSync(marker)).toBe(false);
    expect(parsed.stdout).toContain(`Summary:        ${evil}`);
    expect(parsed.stdout).toContain(`- f: feature ${evil}`);
    const q = await execa('rpmspec', ['-q', '--srpm', '--qf', '%{summary}|%{url}\n', spec]);
    expect(existsSync(marker)).toBe(false);
    expect(q.stdout).toContain(evil);
  });
});
