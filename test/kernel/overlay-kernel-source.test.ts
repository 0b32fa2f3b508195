import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { processConfigsMismatches } from '../../src/bases/overlay/resolved-config.js';
import { loadKconfigTree } from '../../src/kconfig/load-kconfig-tree.js';
import { buildReferenceConf, referenceEnv } from '../../src/kconfig/reference-conf.js';
import { extractKconfigSubset, readSubsetFile } from '../../src/sources/kconfig-cache.js';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { KERNEL_TIER_KPLAY_CACHE } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';

/**
 * `kplay compose --kernel-source` on a distribution overlay, on a small real-shaped case: the real
 * CentOS Stream 10 Hyperscale dist-git (test/fixtures/dist-git/real/c10s-hyperscale) with Debian's
 * Linux 6.12 source standing in for the distribution's tarball (CentOS Stream 10 is 6.12-based),
 * and a distribution patch (`patch-6.11-redhat.patch`, the name the spec applies) that adds a
 * Kconfig option. The checks must see the tree as the distribution's patches leave it, apply the
 * variant's patches after them, and report lost / unknown / unmet values naming who asked.
 */
const TARBALL = '/usr/src/linux-source-6.12.tar.xz';
// shared between runs and worktrees, like the extracted trees of test/support/kernel-tree.ts
const CACHE = KERNEL_TIER_KPLAY_CACHE;
const REAL = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/real/c10s-hyperscale');
const temps: string[] = [];

const header = (subject: string) => [
  'From: kplay test <t@example.org>',
  `Subject: [PATCH] ${subject}`,
  '',
  'A real-shaped patch for the overlay kernel-source test.',
  '',
  '---',
  ' init/Kconfig | 4 ++++',
  '',
];

let distPatch = '';
let variantPatch = '';
let evilPatch = '';
const MARKER = path.join(CACHE, '..', `kplay-kshell-pwned-${process.pid}`);

beforeAll(async () => {
  expect(existsSync(TARBALL), `${TARBALL} is missing: apt-get install linux-source-6.12`).toBe(true);
  const subset = await extractKconfigSubset(TARBALL, CACHE);
  const first = (await readSubsetFile(subset, 'init/Kconfig'))!.toString('utf8').split('\n').slice(0, 3);
  distPatch = [
    ...header('redhat: an option only the distribution has'),
    'diff --git a/init/Kconfig b/init/Kconfig',
    '--- a/init/Kconfig',
    '+++ b/init/Kconfig',
    '@@ -1,3 +1,7 @@',
    ` ${first[0]}`,
    '+config KPLAY_DISTRO_FEATURE',
    '+\tbool "an option only the distribution\'s patch adds"',
    '+\tdefault n',
    '+',
    ` ${first[1]}`,
    ` ${first[2]}`,
    '',
  ].join('\n');
  // applies only on top of the distribution's patch
  variantPatch = [
    ...header('turn the distribution option on by default'),
    'diff --git a/init/Kconfig b/init/Kconfig',
    '--- a/init/Kconfig',
    '+++ b/init/Kconfig',
    '@@ -2,4 +2,4 @@',
    ' config KPLAY_DISTRO_FEATURE',
    ' \tbool "an option only the distribution\'s patch adds"',
    '-\tdefault n',
    '+\tdefault y',
    ' ',
    '',
  ].join('\n');
  // a stranger's feature: a Kconfig default computed by a command of their choosing
  const hz = (await readSubsetFile(subset, 'kernel/Kconfig.hz'))!.toString('utf8').split('\n');
  evilPatch = [
    ...header('a timer option'),
    'diff --git a/kernel/Kconfig.hz b/kernel/Kconfig.hz',
    '--- a/kernel/Kconfig.hz',
    '+++ b/kernel/Kconfig.hz',
    '@@ -3,4 +3,8 @@',
    ` ${hz[2]}`,
    ` ${hz[3]}`,
    '+',
    '+config KPLAY_EVIL',
    '+\tbool',
    `+\tdefault $(shell,touch ${MARKER})`,
    ` ${hz[4]}`,
    ` ${hz[5]}`,
    '',
  ].join('\n');
}, 300_000);

afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function repo(features: string[], opts: { distPatch?: boolean } = {}): Promise<string> {
  const root = await makeFixtureRepo({
    'variants/pg.yml': [
      'name: pg',
      'summary: checked overlay',
      'base:',
      '  kind: centos-stream',
      '  path: ../dist-git',
      'arches: [x86_64, aarch64]',
      `features: [${features.join(', ')}]`,
      'buildid: .pg',
    ].join('\n'),
    'features/gamma/feature.yml': 'summary: gamma\nconfig:\n  CONFIG_KPLAY_DISTRO_FEATURE: y\n',
    'features/gamma/patches/0001-default-y.patch': variantPatch,
    'features/delta/feature.yml': 'summary: delta asks for the 5.14 name of the x32 ABI\n',
    'features/delta/config.x86_64': 'CONFIG_X86_X32=y\n',
    'features/epsilon/feature.yml': 'summary: epsilon\nconfig:\n  CONFIG_SOUND: n\n  CONFIG_SND_HDA_INTEL: m\n',
    'features/evil/feature.yml': 'summary: evil\n',
    // CONFIG_MODULES: the 40-line fixture configs lack it (the real ones have it); without it =m becomes y
    'features/btrfs/feature.yml':
      'summary: btrfs and the in-kernel config\nconfig:\n  CONFIG_BTRFS_FS: m\n  CONFIG_IKCONFIG: y\n  CONFIG_MODULES: y\n',
    'features/evil/patches/0001-timer.patch': evilPatch,
  });
  temps.push(root);
  await cp(REAL, path.join(root, 'dist-git'), { recursive: true });
  await writeFile(path.join(root, 'dist-git/patch-6.11-redhat.patch'), opts.distPatch === false ? '' : distPatch);
  return root;
}

describe('overlay checked against the distribution source (Linux 6.12)', () => {
  it('unknown and unmet values are errors naming the feature; the distribution option exists because its patch is applied first', async () => {
    const root = await repo(['gamma', 'delta', 'epsilon']);
    const r = await runKplay(['compose', 'variants/pg.yml', '--kernel-source', TARBALL, '--json'], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: CACHE },
    });
    const report = JSON.parse(r.stdout) as {
      exitCode: number;
      findings: Array<{ code: string; severity: string; feature?: string; arch?: string; message: string }>;
      checks: Record<string, string>;
    };
    expect(report.checks.patches).toMatch(
      /^2\/2 patch\(es\) apply to .*linux-source-6\.12\.tar\.xz: the distribution's 1 \(patch-6\.11-redhat\.patch\), then the variant's 1$/,
    );
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.code} ${f.feature} ${f.arch}`).sort()).toEqual([
      'E_KCONFIG_UNKNOWN delta x86_64',
      'E_KCONFIG_UNMET epsilon aarch64',
      'E_KCONFIG_UNMET epsilon x86_64',
    ]);
    expect(errors.find((f) => f.code === 'E_KCONFIG_UNKNOWN')!.message).toMatch(/X86_X32/);
    expect(report.findings.some((f) => /KPLAY_DISTRO_FEATURE/.test(f.message))).toBe(false);
    expect(report.findings.some((f) => f.code === 'W_OVERLAY_NOT_CHECKED')).toBe(false);
    expect(report.exitCode).toBe(1);
  });

  it("without the problem features it composes: every config Source keeps the distribution's lines (the # arch header first) and gains a marked block", async () => {
    const root = await repo(['gamma']);
    const r = await runKplay(['compose', 'variants/pg.yml', '--kernel-source', TARBALL], { cwd: root, env: { KPLAY_CACHE_DIR: CACHE } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/ error /);
    for (const f of [
      'kernel-x86_64-rhel.config',
      'kernel-x86_64-debug-rhel.config',
      'kernel-aarch64-rhel.config',
      'kernel-aarch64-64k-debug-rhel.config',
    ]) {
      const text = await readFile(path.join(root, 'out/pg', f), 'utf8');
      const original = await readFile(path.join(REAL, f), 'utf8');
      expect(text.startsWith(original), f).toBe(true); // every byte of the distribution's, header first
      expect(text.split('\n')[0]).toMatch(/^# (x86_64|arm64)$/);
      expect(text, f).toMatch(/^CONFIG_KPLAY_DISTRO_FEATURE=y$/m);
      expect(text, f).toMatch(/^# kplay-overlay begin options of pg$/m);
    }
    // an arch the variant does not build keeps the distribution's config
    expect(await readFile(path.join(root, 'out/pg/kernel-ppc64le-rhel.config'), 'utf8')).toBe(
      await readFile(path.join(REAL, 'kernel-ppc64le-rhel.config'), 'utf8'),
    );
  });

  it("every option a requested value makes new is written at olddefconfig's value naming who exposed it: the kernel's own conf (dummy-tools) lists no new option and changes no line", async () => {
    const root = await repo(['btrfs'], { distPatch: false });
    const r = await runKplay(['compose', 'variants/pg.yml', '--kernel-source', TARBALL, '--json'], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: CACHE },
    });
    const report = JSON.parse(r.stdout) as { exitCode: number; findings: Array<{ code: string; message: string }> };
    expect(
      report.findings.filter((f) => f.code.startsWith('E_')),
      r.stderr,
    ).toEqual([]);
    expect(report.exitCode).toBe(0);
    for (const [arch, f] of [
      ['aarch64', 'kernel-aarch64-rhel.config'],
      ['x86_64', 'kernel-x86_64-debug-rhel.config'],
    ] as const) {
      const text = await readFile(path.join(root, 'out/pg', f), 'utf8');
      const original = await readFile(path.join(REAL, f), 'utf8');
      for (const line of original.split('\n')) expect(text.split('\n'), f).toContain(line);
      // the children of BTRFS_FS and IKCONFIG, with the request that exposed them
      expect(text).toMatch(/^# CONFIG_BTRFS_DEBUG is not set$/m);
      expect(text).toMatch(/^# CONFIG_BTRFS_FS_POSIX_ACL is not set$/m);
      expect(text).toMatch(
        /^# kplay: CONFIG_BTRFS_DEBUG is not set \(new option exposed by CONFIG_BTRFS_FS \(feature btrfs: features\/btrfs\/feature\.yml:3\); olddefconfig's value\)$/m,
      );
      expect(text).toMatch(/^# kplay: CONFIG_IKCONFIG_PROC(=y| is not set) \(new option exposed by CONFIG_IKCONFIG /m);
      // the oracle: the kernel's own conf, with the dummy-tools environment process_configs.sh uses
      const tree = await loadKconfigTree({ source: TARBALL, arch, toolchain: 'dummy-tools', cacheDir: CACHE });
      const conf = await buildReferenceConf(tree.root, CACHE);
      const newIn = async (config: string) => {
        const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-listnew-'));
        temps.push(work);
        await writeFile(path.join(work, '.config'), config);
        const env = { ...referenceEnv(tree), KCONFIG_CONFIG: path.join(work, '.config') };
        const listed = await execa(conf, ['-s', '--listnewconfig', 'Kconfig'], { cwd: work, env });
        await execa(conf, ['-s', '--olddefconfig', 'Kconfig'], { cwd: work, env });
        const after = await readFile(path.join(work, '.config'), 'utf8');
        return {
          listed: new Set(
            listed.stdout
              .split('\n')
              .filter((l) => l.startsWith('CONFIG_'))
              .map((l) => l.split('=')[0]),
          ),
          after,
        };
      };
      const before = await newIn(original);
      const now = await newIn(text);
      expect(
        [...now.listed].filter((s) => !before.listed.has(s)),
        f,
      ).toEqual([]);
      expect(before.listed.has('CONFIG_BTRFS_DEBUG')).toBe(false);
      const mismatches = (src: string, after: string) => processConfigsMismatches(src, after).map((m) => `${m.symbol} ${m.had} ${m.now}`);
      const known = new Set(mismatches(original, before.after));
      expect(
        mismatches(text, now.after).filter((m) => !known.has(m)),
        f,
      ).toEqual([]);
    }
  }, 600_000);

  it("a feature patch adding $(shell,...) to a Kconfig file runs nothing: E_KCONFIG_SHELL at the macro's line, exit 2, nothing written", async () => {
    const root = await repo(['gamma', 'evil']);
    await rm(MARKER, { force: true });
    const r = await runKplay(['compose', 'variants/pg.yml', '--kernel-source', TARBALL, '--json'], {
      cwd: root,
      env: { KPLAY_CACHE_DIR: CACHE },
    });
    expect(existsSync(MARKER)).toBe(false);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a finding, not a stack trace
    const out = `${r.stdout}${r.stderr}`;
    expect(out).toMatch(/E_KCONFIG_SHELL/);
    expect(out).toMatch(/kernel\/Kconfig\.hz:8\b/);
    expect(out).toContain(`touch ${MARKER}`);
    expect(out).toContain('0001-timer.patch');
    expect(existsSync(path.join(root, 'out/pg'))).toBe(false);
  });

  it("--verify-kconfig cross-checks every config Source with the kernel's own conf, and says so when patches change Kconfig files", async () => {
    const plain = await repo([], { distPatch: false });
    const r = await runKplay(['compose', 'variants/pg.yml', '--kernel-source', TARBALL, '--verify-kconfig', '--json'], {
      cwd: plain,
      env: { KPLAY_CACHE_DIR: CACHE },
    });
    const report = JSON.parse(r.stdout) as { exitCode: number; findings: Array<{ code: string }>; checks: Record<string, string> };
    expect(report.findings.map((f) => f.code)).not.toContain('E_KCONFIG_VERIFY');
    for (const f of ['kernel-x86_64-rhel', 'kernel-x86_64-debug-rhel', 'kernel-aarch64-rhel', 'kernel-aarch64-64k-debug-rhel'])
      expect(report.checks.kconfig).toMatch(new RegExp(`--verify-kconfig: .*\\b${f}\\.config identical`));
    expect(report.checks.kconfig).not.toMatch(/differs/);

    const patched = await repo(['gamma']);
    const p = await runKplay(['compose', 'variants/pg.yml', '--kernel-source', TARBALL, '--verify-kconfig', '--json'], {
      cwd: patched,
      env: { KPLAY_CACHE_DIR: CACHE },
    });
    const pr = JSON.parse(p.stdout) as { findings: Array<{ code: string; message: string }>; checks: Record<string, string> };
    expect(pr.findings.filter((f) => f.code === 'W_KCONFIG_NOT_VERIFIED')).toHaveLength(1);
    expect(pr.checks.kconfig).toMatch(/--verify-kconfig: not run \(patches change Kconfig files\)/);
  }, 900_000);
});
