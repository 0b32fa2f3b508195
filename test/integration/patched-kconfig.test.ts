import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtureRepo } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';
import { mkdir, writeFile } from 'node:fs/promises';

/** A tiny kernel tree: init/Kconfig with one symbol; the feature's patch adds ADDED after it. */
async function fakeTree(): Promise<string> {
  const tree = await tempDir('kplay-explain-tree-');
  const files: Record<string, string> = {
    Makefile: 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 1\nEXTRAVERSION =\n',
    Kconfig: 'mainmenu "Linux"\nsource "init/Kconfig"\nsource "init/Kconfig.extra"\n',
    'init/Kconfig.extra': 'config EXTRA\n\tbool "extra"\n',
    'init/Kconfig': 'config ALPHA\n\tbool "alpha"\n\tdefault y\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(tree, rel)), { recursive: true });
    await writeFile(path.join(tree, rel), text);
  }
  return tree;
}

function addedPatch(context: string): string {
  return [
    'From: x <x@example.org>',
    'Subject: [PATCH] added',
    '',
    '---',
    '--- a/init/Kconfig',
    '+++ b/init/Kconfig',
    '@@ -1,3 +1,6 @@',
    ` ${context}`,
    ' \tbool "alpha"',
    ' \tdefault y',
    '+config ADDED',
    '+\tbool "added"',
    '+\tdefault y',
    '',
  ].join('\n');
}

describe('explain with a feature patch that changes Kconfig', () => {
  it('explains the symbol the patch adds; when the patch does not apply, says so (E_PATCH_APPLY, exit 1) instead of a bare "does not exist"', async () => {
    const tree = await fakeTree();
    const cache = await tempDir('kplay-explain-cache-');
    const repo = (context: string) =>
      makeFixtureRepo({
        'variants/v.yml': [
          'name: v',
          'summary: t',
          'base:',
          '  kind: vanilla',
          '  version: "6.12.1"',
          '  config:',
          '    x86_64: { file: base.config }',
          'arches: [x86_64]',
          'features: [f]',
          '',
        ].join('\n'),
        'variants/base.config': 'CONFIG_ALPHA=y\n',
        'features/f/feature.yml': 'summary: f\n',
        'features/f/series': '0001-f.patch\n',
        'features/f/patches/0001-f.patch': addedPatch(context),
        'features/f/config': 'CONFIG_ADDED=y\n',
      });
    const explain = async (root: string) =>
      runKplay(['explain', 'variants/v.yml', 'CONFIG_ADDED', '--kernel-source', tree], { cwd: root, env: { KPLAY_CACHE_DIR: cache } });

    const good = await explain(await repo('config ALPHA'));
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^CONFIG_ADDED=y \(bool\)$/m);

    const stale = await explain(await repo('config ALPHA_RENAMED'));
    expect(stale.stdout).toMatch(/CONFIG_ADDED does not exist/);
    expect(stale.stderr).toMatch(/^features\/f\/patches\/0001-f\.patch:\d+: error E_PATCH_APPLY: .*init\/Kconfig/m);
    expect(stale.exitCode).toBe(1);
  });
});

describe('compose with a feature patch that deletes a Kconfig file', () => {
  it('the sourcing file cannot open it: the error names the patch that deleted it and its feature', async () => {
    const tree = await fakeTree();
    const cache = await tempDir('kplay-deleted-cache-');
    const root = await makeFixtureRepo({
      'variants/v.yml':
        'name: v\nsummary: t\nbase:\n  kind: vanilla\n  version: "6.12.1"\n  config:\n    x86_64: { file: base.config }\narches: [x86_64]\nfeatures: [gone]\n',
      'variants/base.config': 'CONFIG_ALPHA=y\n',
      'features/gone/feature.yml': 'summary: gone\n',
      'features/gone/series': '0001-gone.patch\n',
      'features/gone/patches/0001-gone.patch': [
        'From: x <x@example.org>',
        'Subject: [PATCH] drop extra',
        '',
        '---',
        'diff --git a/init/Kconfig.extra b/init/Kconfig.extra',
        'deleted file mode 100644',
        '--- a/init/Kconfig.extra',
        '+++ /dev/null',
        '@@ -1,2 +0,0 @@',
        '-config EXTRA',
        '-\tbool "extra"',
        '',
      ].join('\n'),
      'features/gone/config': '',
    });
    const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', tree, '--out', path.join(root, 'out')], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: cache },
    });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^Kconfig:3: error E_KCONFIG_PARSE: can't open file "init\/Kconfig.extra" \(Kconfig of .* as patched, init\/Kconfig.extra deleted by features\/gone\/patches\/0001-gone.patch\) \[feature gone\]$/m,
    );
    expect(r.stderr).toMatch(
      /^ {2}features\/gone\/patches\/0001-gone.patch:\d+: note: init\/Kconfig.extra is deleted by this patch \(feature gone\)$/m,
    );
  });
});

describe('compose with a feature patch that changes the kernel version in the top Makefile', () => {
  it('W_KERNEL_SOURCE_VERSION names the patch instead of blaming the --kernel-source given', async () => {
    const tree = await fakeTree();
    const cache = await tempDir('kplay-version-cache-');
    const root = await makeFixtureRepo({
      'variants/v.yml':
        'name: v\nsummary: t\nbase:\n  kind: vanilla\n  version: "6.12.1"\n  config:\n    x86_64: { file: base.config }\narches: [x86_64]\nfeatures: [stable]\n',
      'variants/base.config': 'CONFIG_ALPHA=y\n',
      'features/stable/feature.yml': 'summary: stable\n',
      'features/stable/series': '0001-stable.patch\n',
      'features/stable/patches/0001-stable.patch': [
        'From: x <x@example.org>',
        'Subject: [PATCH] Linux 6.12.2',
        '',
        '---',
        '--- a/Makefile',
        '+++ b/Makefile',
        '@@ -1,4 +1,4 @@',
        ' VERSION = 6',
        ' PATCHLEVEL = 12',
        '-SUBLEVEL = 1',
        '+SUBLEVEL = 2',
        ' EXTRAVERSION =',
        '',
      ].join('\n'),
      'features/stable/config': '',
    });
    const r = await runKplay(['compose', 'variants/v.yml', '--kernel-source', tree, '--out', path.join(root, 'out')], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: cache },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning W_KERNEL_SOURCE_VERSION: the kernel source .* as the features' patches leave it is Linux 6\.12\.2 \(features\/stable\/patches\/0001-stable\.patch change its Makefile\), but the variant builds 6\.12\.1/,
    );
    expect(r.stderr).not.toContain('pass the tarball of the base release');
  });
});
