import { execa } from 'execa';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherLookasideSources } from '../../src/bases/overlay/gather-lookaside-sources.js';
import { parseSourcesFile } from '../../src/bases/overlay/sources-file.js';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';
import { patchFor } from '../support/test-files.js';

const DIST_GIT = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git');
const LOOKASIDE = path.join(DIST_GIT, 'lookaside');

/** The fixture dist-git as a git repository with a branch, so compose exercises the clone. */
async function gitDistGit(dir: string): Promise<string> {
  const repo = await tempDir('kplay-distgit-repo-');
  await cp(path.join(DIST_GIT, dir), repo, { recursive: true });
  const git = (...args: string[]) => execa('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args]);
  await git('init', '--quiet', '-b', 'f43');
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'fixture');
  return repo;
}

async function fixtureRepo(base: string, features: Record<string, string> = {}) {
  return makeFixtureRepo({
    'variants/pg.yml': [
      'name: pg',
      'summary: playground overlay',
      base,
      'arches: [x86_64, aarch64]',
      'features: [alpha, beta]',
      'changelog:',
      '  - { date: "2026-11-22", author: "T <t@example.org>", text: "overlay alpha and beta" }',
    ].join('\n'),
    'features/alpha/feature.yml': 'summary: alpha\nconfig:\n  CONFIG_OVERLAY_FS_INDEX: y\n',
    'features/alpha/patches/0001-alpha.patch': patchFor('fs/alpha.c'),
    'features/beta/feature.yml': 'summary: beta\n',
    'features/beta/config.x86_64': 'CONFIG_WIREGUARD=y\n',
    'features/beta/config.aarch64': '# CONFIG_WIREGUARD is not set\n',
    'features/beta/patches/0001-beta.patch': patchFor('net/beta.c'),
    ...features,
  });
}

async function rpmbuildSource(out: string, spec: string): Promise<string[]> {
  const entries = parseSourcesFile(await readFile(path.join(out, 'sources'), 'utf8'), 'sources').entries;
  const gathered = await gatherLookasideSources({
    entries,
    targetDir: out,
    lookasideBase: 'https://lookaside.invalid',
    pkg: 'kernel',
    sourcesDir: LOOKASIDE,
    sourcesFile: 'sources',
  });
  expect(gathered.findings).toEqual([]);
  const top = await tempDir('kplay-rpmtop-');
  await execa('rpmbuild', [
    '-bs',
    path.join(out, spec),
    '--define',
    `_topdir ${top}`,
    '--define',
    `_sourcedir ${out}`,
    '--define',
    `_specdir ${out}`,
    '--define',
    `_srcrpmdir ${top}`,
  ]);
  const srpms = (await readdir(top)).filter((n) => n.endsWith('.src.rpm'));
  return srpms;
}

describe('Fedora dist-git overlay', () => {
  it('two feature patches: rpmspec -P shows the buildid, both Patch lines and both applications in order, configs hold the options', async () => {
    const repo = await gitDistGit('fedora-6.17');
    const root = await fixtureRepo(`base:\n  kind: fedora\n  dist-git: { url: "${repo}", ref: f43 }`);
    const out = path.join(root, 'out/pg');
    const r = await runKplay(['compose', 'variants/pg.yml'], { cwd: root });
    expect(r.stderr).toContain('0 errors');
    expect(r.exitCode).toBe(0);
    const parsed = (
      await execa('rpmspec', ['-P', path.join(out, 'kernel.spec'), '--define', `_sourcedir ${out}`, '--define', 'dist .fc43'])
    ).stdout;
    expect(parsed).toMatch(/^Release: 200\.pg\.fc43$/m);
    const lines = parsed.split('\n');
    const patchLines = lines.filter((l) => /^Patch\d+: 000/.test(l));
    expect(patchLines).toEqual(['Patch1000000: 0001-alpha-0001-alpha.patch', 'Patch1000001: 0002-beta-0001-beta.patch']);
    expect(lines.filter((l) => /^ApplyOptionalPatch 000/.test(l))).toEqual([
      'ApplyOptionalPatch 0001-alpha-0001-alpha.patch',
      'ApplyOptionalPatch 0002-beta-0001-beta.patch',
    ]);
    expect(lines.indexOf('ApplyOptionalPatch 0001-alpha-0001-alpha.patch')).toBeGreaterThan(
      lines.indexOf('ApplyOptionalPatch linux-kernel-test.patch'),
    );
    const local = await readFile(path.join(out, 'kernel-local'), 'utf8');
    expect(local).toMatch(/^CONFIG_OVERLAY_FS_INDEX=y$/m);
    expect(local).not.toContain('WIREGUARD');
    for (const flavour of ['', '-debug']) {
      expect(await readFile(path.join(out, `kernel-x86_64${flavour}-fedora.config`), 'utf8')).toMatch(/^CONFIG_WIREGUARD=y$/m);
      expect(await readFile(path.join(out, `kernel-aarch64${flavour}-fedora.config`), 'utf8')).toMatch(/^# CONFIG_WIREGUARD is not set$/m);
    }
    // the RHEL configs of a Fedora dist-git are not Fedora's flavour: untouched
    expect(await readFile(path.join(out, 'kernel-x86_64-rhel.config'), 'utf8')).toBe(
      await readFile(path.join(DIST_GIT, 'fedora-6.17/kernel-x86_64-rhel.config'), 'utf8'),
    );
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { base: { origin: { commit: string } } };
    expect(manifest.base.origin.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await rpmbuildSource(out, 'kernel.spec')).toEqual(['kernel-6.17.7-200.pg.src.rpm']);
  });

  it('gives the same bytes under any locale (da_DK sorts aa after z: aarch64 configs, CONFIG_AA* values)', async () => {
    const root = await fixtureRepo(`base:\n  kind: fedora\n  path: ../dist-git`, {
      'features/alpha/feature.yml': 'summary: alpha\nconfig:\n  CONFIG_AAA_LOCALE: y\n  CONFIG_ZZZ_LOCALE: y\n  CONFIG_ABA_LOCALE: m\n',
    });
    await cp(path.join(DIST_GIT, 'fedora-6.0'), path.join(root, 'dist-git'), { recursive: true });
    const trees: Array<Record<string, string>> = [];
    for (const lang of ['en_US.UTF-8', 'da_DK.UTF-8']) {
      const out = path.join(root, `out-${lang}`);
      const r = await runKplay(['compose', 'variants/pg.yml', '--out', out], { cwd: root, env: { LANG: lang, LC_ALL: lang } });
      expect(r.exitCode, r.stderr).toBe(0);
      const files: Record<string, string> = {};
      for (const n of (await readdir(out)).sort()) files[n] = await readFile(path.join(out, n), 'latin1');
      trees.push(files);
    }
    expect(Object.keys(trees[1]!)).toEqual(Object.keys(trees[0]!));
    for (const n of Object.keys(trees[0]!)) expect(trees[1]![n], n).toBe(trees[0]![n]);
  });

  it('is idempotent: overlaying the composed output again gives the same files', async () => {
    const root = await fixtureRepo(`base:\n  kind: fedora\n  path: ../dist-git\n  rename: true\n  without: [debug, debuginfo]`);
    await cp(path.join(DIST_GIT, 'fedora-6.0'), path.join(root, 'dist-git'), { recursive: true });
    expect((await runKplay(['compose', 'variants/pg.yml', '--out', path.join(root, 'once')], { cwd: root })).exitCode).toBe(0);
    const r = await runKplay(['compose', 'variants/pg.yml', '--out', path.join(root, 'twice'), '--dist-git', path.join(root, 'once')], {
      cwd: root,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const names = (await readdir(path.join(root, 'once'))).filter((n) => n !== 'manifest.json').sort();
    expect((await readdir(path.join(root, 'twice'))).filter((n) => n !== 'manifest.json').sort()).toEqual(names);
    for (const n of names)
      expect(await readFile(path.join(root, 'twice', n), 'utf8'), n).toBe(await readFile(path.join(root, 'once', n), 'utf8'));
    expect(names).toEqual(expect.arrayContaining(['kernel-pg.spec', 'kernel-pg-x86_64-debug-fedora.config']));
    const parsed = (await execa('rpmspec', ['-P', path.join(root, 'once', 'kernel-pg.spec')])).stdout;
    expect(parsed).toMatch(/^Name: kernel-pg$/m);
    expect(parsed).toMatch(/^Source65: kernel-pg-x86_64-debug-fedora\.config$/m);
    expect(await rpmbuildSource(path.join(root, 'once'), 'kernel-pg.spec')).toEqual(['kernel-pg-6.0.18-200.pg.src.rpm']);
  });

  it('a missing anchor is a finding that names it, and nothing is written', async () => {
    const root = await fixtureRepo(`base:\n  kind: fedora\n  path: ../dist-git`);
    await cp(path.join(DIST_GIT, 'fedora-6.17'), path.join(root, 'dist-git'), { recursive: true });
    const specPath = path.join(root, 'dist-git/kernel.spec');
    await writeFile(specPath, (await readFile(specPath, 'utf8')).replace('Patch999999: linux-kernel-test.patch\n', ''));
    const r = await runKplay(['compose', 'variants/pg.yml'], { cwd: root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error E_OVERLAY_ANCHOR_MISSING: the spec has no 'Patch999999: linux-kernel-test\.patch' line/);
    await expect(readdir(path.join(root, 'out'))).rejects.toThrow();
  });

  it('a short patch is refused (or padded) with a finding', async () => {
    const shortPatch = { 'features/beta/patches/0001-beta.patch': 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' };
    const refuse = await fixtureRepo(`base:\n  kind: fedora\n  path: ../dist-git\n  short-patches: refuse`, shortPatch);
    await cp(path.join(DIST_GIT, 'fedora-6.17'), path.join(refuse, 'dist-git'), { recursive: true });
    const r = await runKplay(['compose', 'variants/pg.yml'], { cwd: refuse });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error E_OVERLAY_PATCH_SHORT: 0002-beta-0001-beta\.patch has 6 line\(s\)/);
    const pad = await fixtureRepo(`base:\n  kind: fedora\n  path: ../dist-git`, shortPatch);
    await cp(path.join(DIST_GIT, 'fedora-6.17'), path.join(pad, 'dist-git'), { recursive: true });
    const p = await runKplay(['compose', 'variants/pg.yml'], { cwd: pad });
    expect(p.exitCode).toBe(0);
    expect(p.stderr).toMatch(/warning W_OVERLAY_PATCH_PADDED/);
    const padded = await readFile(path.join(pad, 'out/pg/0002-beta-0001-beta.patch'), 'utf8');
    expect(padded.split('\n').length - 1).toBe(10);
  });

  it('a ref that does not exist is an unusable-input finding', async () => {
    const repo = await gitDistGit('fedora-6.17');
    const root = await fixtureRepo(`base:\n  kind: fedora\n  dist-git: { url: "${repo}", ref: no-such-branch }`);
    const r = await runKplay(['compose', 'variants/pg.yml'], { cwd: root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error E_OVERLAY_DIST_GIT: cannot clone .* at no-such-branch/);
  });
});

describe('shipped overlay and kmod variants compose offline', () => {
  it('fedora-playground and stream-plus overlay the fixture dist-git; rpmspec -P and rpmbuild -bs pass', async () => {
    for (const [variant, dir, spec, srpm] of [
      ['fedora-playground', 'fedora-6.17', 'kernel.spec', 'kernel-6.17.7-200.playground.src.rpm'],
      ['stream-plus', 'centos-stream-9', 'kernel-plus.spec', 'kernel-plus-5.14.0-570.plus.src.rpm'],
    ] as const) {
      const out = await tempDir(`kplay-${variant}-`);
      const r = await runKplay(['compose', `variants/${variant}.yml`, '--dist-git', path.join(DIST_GIT, dir), '--out', out], {
        cwd: ROOT_OF_REPO,
      });
      expect(r.exitCode, r.stderr).toBe(0);
      await execa('rpmspec', ['-P', path.join(out, spec)]);
      expect(await rpmbuildSource(out, spec)).toEqual([srpm]);
    }
  });
});
