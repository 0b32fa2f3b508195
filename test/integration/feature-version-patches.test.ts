import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, variantYaml } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';

const patch = (file: string, from: string, to: string) =>
  `From: kplay test\nSubject: [PATCH] ${to}\n\n--- a/${file}\n+++ b/${file}\n@@ -1,1 +1,1 @@\n-${from}\n+${to}\n`;

describe('per-version patches in a feature: one feature serves 6.1 and 6.12', () => {
  const temps: string[] = [];
  afterAll(async () => {
    for (const t of temps) await rm(t, { recursive: true, force: true });
  });

  const composeOn = async (root: string, version: string) => {
    const r = await runKplay(['compose', `variants/v${version}.yml`, '--out', `out/${version}`], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(0);
    const files = await readdir(path.join(root, 'out', version));
    const spec = await readFile(
      path.join(
        root,
        'out',
        version,
        files.find((f) => f.endsWith('.spec'))!,
      ),
      'utf8',
    );
    return { files, spec };
  };

  const patchesOf = async (root: string, version: string) => {
    const m = JSON.parse(await readFile(path.join(root, 'out', version, 'manifest.json'), 'utf8')) as {
      features: Array<{ name: string; patches: Array<{ from: string }> }>;
    };
    return m.features.find((f) => f.name === 'fix')!.patches.map((p) => p.from);
  };

  it('patches/6.1/ and patches/6.12/ folders: the common patches plus the base series folder only', async () => {
    const root = await makeFixtureRepo({
      'variants/v6.1.192.yml': variantYaml({ name: 'old', version: '6.1.192', features: ['fix'] }),
      'variants/v6.12.117.yml': variantYaml({ name: 'new', version: '6.12.117', features: ['fix'] }),
      'features/fix/feature.yml': 'summary: a fix ported to two kernels\nkernel: ">=6.1"\n',
      'features/fix/patches/0001-common.patch': patch('README', 'a', 'b'),
      'features/fix/patches/6.1/0002-fix.patch': patch('fs/a.c', 'old', 'fixed on 6.1'),
      'features/fix/patches/6.12/0002-fix.patch': patch('fs/b.c', 'old', 'fixed on 6.12'),
    });
    temps.push(root);
    const old = await composeOn(root, '6.1.192');
    expect(old.spec).toMatch(/fixed on 6\.1|0002-fix\.patch/);
    expect(await patchesOf(root, '6.1.192')).toEqual(['features/fix/patches/0001-common.patch', 'features/fix/patches/6.1/0002-fix.patch']);
    await composeOn(root, '6.12.117');
    expect(await patchesOf(root, '6.12.117')).toEqual([
      'features/fix/patches/0001-common.patch',
      'features/fix/patches/6.12/0002-fix.patch',
    ]);
    // the decision is visible: the summary line, --json and the manifest name the patch left out and why
    const r = await runKplay(['compose', 'variants/v6.12.117.yml', '--out', 'out/again'], { cwd: root });
    expect(r.stdout).toContain(
      'left out: features/fix/patches/6.1/0002-fix.patch (feature fix): for kernel >=6.1 <6.2, the base is 6.12.117',
    );
    const m = JSON.parse(await readFile(path.join(root, 'out', 'again', 'manifest.json'), 'utf8')) as { left_out: unknown[] };
    expect(m.left_out).toEqual([
      { feature: 'fix', patch: 'features/fix/patches/6.1/0002-fix.patch', reason: 'for kernel >=6.1 <6.2, the base is 6.12.117' },
    ]);
  });

  it('a series entry with kernel: RANGE; a bad range is a finding on its line', async () => {
    const root = await makeFixtureRepo({
      'variants/v6.1.192.yml': variantYaml({ name: 'old', version: '6.1.192', features: ['fix'] }),
      'variants/v6.12.117.yml': variantYaml({ name: 'new', version: '6.12.117', features: ['fix'] }),
      'features/fix/feature.yml': 'summary: a fix\n',
      'features/fix/series': '0001-common.patch\nold/0002-fix.patch  kernel: <6.12\nnew/0002-fix.patch  kernel: >=6.12   # the 6.12 port\n',
      'features/fix/patches/0001-common.patch': patch('README', 'a', 'b'),
      'features/fix/patches/old/0002-fix.patch': patch('fs/a.c', 'old', 'fixed before 6.12'),
      'features/fix/patches/new/0002-fix.patch': patch('fs/b.c', 'old', 'fixed from 6.12'),
    });
    temps.push(root);
    await composeOn(root, '6.1.192');
    expect(await patchesOf(root, '6.1.192')).toEqual(['features/fix/patches/0001-common.patch', 'features/fix/patches/old/0002-fix.patch']);
    await composeOn(root, '6.12.117');
    expect(await patchesOf(root, '6.12.117')).toEqual([
      'features/fix/patches/0001-common.patch',
      'features/fix/patches/new/0002-fix.patch',
    ]);

    const bad = await makeFixtureRepo({
      'variants/v.yml': variantYaml({ features: ['fix'] }),
      'features/fix/feature.yml': 'summary: a fix\n',
      'features/fix/series': '0001-common.patch\n0002.patch kernel: >=six\n0003.patch -p2\n',
      'features/fix/patches/0001-common.patch': patch('README', 'a', 'b'),
    });
    temps.push(bad);
    const r = await runKplay(['compose', 'variants/v.yml'], { cwd: bad });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/features\/fix\/series:2:1: error E_VERSION_SYNTAX: series line '0002\.patch kernel: >=six'/);
    expect(r.stderr).toMatch(/features\/fix\/series:3:1: error E_SERIES_SYNTAX: .*takes only 'kernel: RANGE'/);
  });
});
