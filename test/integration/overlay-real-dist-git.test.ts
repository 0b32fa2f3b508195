import { execa } from 'execa';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { runKplay } from '../support/run-kplay.js';
import { patchFor } from '../support/test-files.js';

/**
 * Overlays on REAL dist-git packaging (test/fixtures/dist-git/real, see ORIGIN.md there): a
 * CentOS Stream 10 Hyperscale spec (flat, `Name: %{package_name}`, merge.py), CentOS 9 in the
 * git.centos.org SPECS/+SOURCES/ layout (literal config names, merge.pl) and CentOS 8 Plus
 * (git.centos.org, `Name: kernel-plus%{?variant}`, `%{name}-x86_64.config`, no kernel-local).
 * The proof for each: the spec's own %prep config assembly, run on kplay's output, leaves every
 * requested value in every final config of the arches that asked, and in no other.
 */
const REAL = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/real');
const ARCH_IN_NAME = /-(x86_64|aarch64|ppc64le|s390x|riscv64)[-.]/;
const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});
async function temp(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), `kplay-${prefix}-`));
  temps.push(d);
  return d;
}

interface Case {
  dir: string;
  kind: 'fedora' | 'centos-stream';
  arches: string[];
  spec: string;
  release: RegExp;
  /** Arches whose %prep is run (a target per run: some specs merge only the target's configs). */
  runs: string[];
  /** Expected values per arch in the final configs (absent arch: none of the requested symbols). */
  expect: Record<string, Record<string, string>>;
  exclusiveArch: string[];
  kernelLocalUsed: boolean;
  /** The distribution's last patch application; kplay's go after it. */
  lastDistributionApply: string;
  executables: string[];
  /** rpm defines for the build (a Fedora build defines %fedora: primary_target fedora). */
  defines?: string[];
}

const CASES: Case[] = [
  {
    dir: 'c10s-hyperscale',
    kind: 'centos-stream',
    arches: ['x86_64', 'aarch64'],
    spec: 'kernel.spec',
    release: /^Release: 0\.hs1\.pg$/m, // the distribution buildid (1) extended, not replaced
    runs: ['x86_64'],
    expect: { x86_64: { OVERLAY_FS_INDEX: 'y', WIREGUARD: 'y' }, aarch64: { OVERLAY_FS_INDEX: 'y', WIREGUARD: 'm' } },
    exclusiveArch: ['ExclusiveArch: noarch x86_64 aarch64', 'ExclusiveArch: noarch x86_64 aarch64'],
    kernelLocalUsed: false, // the package has ppc64le/s390x/riscv64 configs: kernel-local would reach them
    lastDistributionApply: 'ApplyOptionalPatch linux-kernel-test.patch',
    executables: ['merge.py', 'generate_all_configs.sh', 'process_configs.sh'],
  },
  {
    // the same ARK-generated spec built as Fedora builds it: -fedora configs, FLAVOR=fedora
    dir: 'c10s-hyperscale',
    kind: 'fedora',
    arches: ['x86_64', 'aarch64'],
    spec: 'kernel.spec',
    release: /^Release: 0\.hs1\.pg$/m, // the distribution buildid (1) extended, not replaced
    runs: ['x86_64'],
    expect: { x86_64: { OVERLAY_FS_INDEX: 'y', WIREGUARD: 'y' }, aarch64: { OVERLAY_FS_INDEX: 'y', WIREGUARD: 'm' } },
    exclusiveArch: ['ExclusiveArch: noarch x86_64 aarch64', 'ExclusiveArch: noarch x86_64 aarch64'],
    kernelLocalUsed: false,
    lastDistributionApply: 'ApplyOptionalPatch linux-kernel-test.patch',
    executables: ['merge.py', 'generate_all_configs.sh', 'process_configs.sh'],
    defines: ['fedora 41'],
  },
  {
    dir: 'c9',
    kind: 'centos-stream',
    arches: ['x86_64', 'aarch64', 'ppc64le', 's390x'],
    spec: 'kernel.spec',
    release: /^Release: 284\.11\.1\.pg$/m,
    runs: ['x86_64', 'aarch64', 'ppc64le', 's390x'],
    expect: {
      x86_64: { OVERLAY_FS_INDEX: 'y', WIREGUARD: 'y' },
      aarch64: { OVERLAY_FS_INDEX: 'y', WIREGUARD: 'm' },
      ppc64le: { OVERLAY_FS_INDEX: 'y' },
      s390x: { OVERLAY_FS_INDEX: 'y' },
    },
    exclusiveArch: ['ExclusiveArch: noarch x86_64 s390x aarch64 ppc64le', 'ExclusiveArch: noarch x86_64 s390x aarch64 ppc64le'],
    kernelLocalUsed: true, // every arch with configs is a variant arch: the same-everywhere value goes to kernel-local
    lastDistributionApply: 'ApplyOptionalPatch linux-kernel-test.patch',
    executables: ['merge.pl', 'generate_all_configs.sh', 'process_configs.sh'],
  },
  {
    dir: 'c8-plus',
    kind: 'centos-stream',
    arches: ['x86_64'],
    spec: 'kernel-plus.spec',
    release: /^Release: 193\.28\.1\.el8_2\.centos\.plus\.pg$/m,
    runs: ['x86_64'],
    expect: { x86_64: { OVERLAY_FS_INDEX: 'y', WIREGUARD: 'y' } },
    exclusiveArch: ['ExclusiveArch: x86_64', 'ExclusiveArch: noarch x86_64'],
    kernelLocalUsed: false, // RHEL 8-era: no kernel-local at all
    lastDistributionApply: 'ApplyOptionalPatch centos-linux-4.18-wireguard-1.0.20200908.patch',
    executables: ['generate_all_configs.sh', 'process_configs.sh'],
  },
];

async function repoFor(c: Case, distGit: string): Promise<string> {
  return makeFixtureRepo({
    'variants/pg.yml': [
      'name: pg',
      'summary: playground overlay on real dist-git',
      'base:',
      `  kind: ${c.kind}`,
      `  path: ${JSON.stringify(path.relative(path.join('/x', 'variants'), path.join('/x', distGit)))}`,
      `arches: [${c.arches.join(', ')}]`,
      'features: [alpha, beta]',
      'buildid: .pg',
      'changelog:',
      '  - { date: "2026-11-22", author: "T <t@example.org>", text: "overlay alpha and beta" }',
    ].join('\n'),
    'features/alpha/feature.yml': 'summary: alpha\nconfig:\n  CONFIG_OVERLAY_FS_INDEX: y\n',
    'features/alpha/patches/0001-alpha.patch': patchFor('fs/alpha.c'),
    'features/beta/feature.yml': 'summary: beta\n',
    'features/beta/config.x86_64': 'CONFIG_WIREGUARD=y\n',
    'features/beta/config.aarch64': 'CONFIG_WIREGUARD=m\n',
    'features/beta/patches/0001-beta.patch': patchFor('net/beta.c'),
  });
}

/** The %prep lines that assemble the configs, as rpm expands them for `target`. */
async function configAssembly(out: string, spec: string, target: string, defines: readonly string[] = []): Promise<string> {
  const parsed = (
    await execa('rpmspec', [
      '-P',
      '--target',
      target,
      path.join(out, spec),
      '--define',
      `_sourcedir ${out}`,
      ...defines.flatMap((d) => ['--define', d]),
    ])
  ).stdout.split('\n');
  const start = parsed.indexOf('mkdir configs');
  expect(start, `no 'mkdir configs' in the %prep of ${spec} for ${target}`).toBeGreaterThan(0);
  const end = parsed.findIndex((l, i) => i > start && /process_configs|openssl|^for i in \*\.config/.test(l));
  expect(end).toBeGreaterThan(start);
  // Fedora's /bin/sh is bash; generate_all_configs.sh (#!/bin/sh) uses bash substrings, and
  // Debian's /bin/sh is dash: run that one script with bash (merge.py / merge.pl still run as ./X)
  return parsed
    .slice(start, end)
    .map((l) => l.replace(/(^|\s)\.\/generate_all_configs\.sh\b/, '$1bash ./generate_all_configs.sh'))
    .join('\n');
}

/** The configs the target's build uses: those its merge loop (`for i in <glob>`) touches, else all. */
function usedConfigs(script: string): RegExp {
  const glob = /^for i in (\S+\.config)\s*$/m.exec(script)?.[1];
  if (!glob) return /\.config$/;
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** Final configs after running the spec's own assembly in a scratch folder: file → symbol → value. */
async function runAssembly(out: string, script: string): Promise<Map<string, Map<string, string>>> {
  const scratch = await temp('prep');
  await execa('bash', ['-e', '-c', script], { cwd: scratch, env: { RPM_SOURCE_DIR: out, RPM_BUILD_NCPUS: '1' } });
  const configs = new Map<string, Map<string, string>>();
  for (const f of (await readdir(path.join(scratch, 'configs'))).filter((n) => n.endsWith('.config') && !n.startsWith('partial-'))) {
    const values = new Map<string, string>();
    for (const line of (await readFile(path.join(scratch, 'configs', f), 'utf8')).split('\n')) {
      const set = /^CONFIG_(\w+)=(.*)$/.exec(line);
      const unset = /^# CONFIG_(\w+) is not set$/.exec(line);
      if (set && !values.has(set[1]!)) values.set(set[1]!, set[2]!);
      if (unset && !values.has(unset[1]!)) values.set(unset[1]!, 'n');
    }
    configs.set(f, values);
  }
  return configs;
}

describe.each(CASES)('overlay on real dist-git $dir as $kind', (c) => {
  it("composes, parses, sets the Release, wires the patches after the distribution's, keeps modes, and the spec's own %prep puts each value on exactly the arches that asked", async () => {
    const work = await temp(`real-${c.dir}`);
    await cp(path.join(REAL, c.dir), path.join(work, 'dist-git'), { recursive: true });
    const root = await repoFor(c, 'dist-git');
    temps.push(root);
    await cp(path.join(work, 'dist-git'), path.join(root, 'dist-git'), { recursive: true });
    const out = path.join(root, 'out/pg');
    const r = await runKplay(['compose', 'variants/pg.yml'], { cwd: root });
    expect(r.exitCode, r.stderr).toBe(0);
    // no --kernel-source: a warning, counted in the summary line
    expect(r.stderr).toMatch(/warning W_OVERLAY_NOT_CHECKED/);
    expect(r.stderr).toMatch(/^compose: 0 errors, [1-9]\d* warnings?$/m);

    const parsed = (await execa('rpmspec', ['-P', path.join(out, c.spec), ...(c.defines ?? []).flatMap((d) => ['--define', d])])).stdout;
    expect(parsed).toMatch(c.release);
    const lines = parsed.split('\n');
    expect(lines.filter((l) => /^Patch\d+: 000/.test(l))).toEqual([
      'Patch1000000: 0001-alpha-0001-alpha.patch',
      'Patch1000001: 0002-beta-0001-beta.patch',
    ]);
    expect(lines.indexOf('Patch1000000: 0001-alpha-0001-alpha.patch')).toBeGreaterThan(
      lines.indexOf('Patch999999: linux-kernel-test.patch'),
    );
    const applies = lines.filter((l) => /^ApplyOptionalPatch 000/.test(l));
    expect(applies).toEqual(['ApplyOptionalPatch 0001-alpha-0001-alpha.patch', 'ApplyOptionalPatch 0002-beta-0001-beta.patch']);
    expect(lines.indexOf(applies[0]!)).toBeGreaterThan(lines.indexOf(c.lastDistributionApply));
    // rpm keeps the %else branch's line (no realtime build)
    expect(lines.filter((l) => l.startsWith('ExclusiveArch:'))).toEqual([c.exclusiveArch[1]]);
    const specText = await readFile(path.join(out, c.spec), 'utf8');
    expect(specText.split('\n').filter((l) => l.startsWith('ExclusiveArch:'))).toEqual(c.exclusiveArch);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as {
      exclusiveArch: string[];
      base: { release: string };
    };
    expect(manifest.exclusiveArch.length).toBeGreaterThan(0);
    // the Release kplay reads in process (no rpm run) is the one rpm expands
    expect(`Release: ${manifest.base.release}`).toMatch(c.release);

    for (const f of c.executables) expect(((await stat(path.join(out, f))).mode & 0o777).toString(8), f).toBe('755');
    const distKernelLocal = path.join(REAL, c.dir, c.dir === 'c10s-hyperscale' ? 'kernel-local' : 'SOURCES/kernel-local');
    if (c.dir !== 'c8-plus') {
      const local = await readFile(path.join(out, 'kernel-local'), 'utf8');
      if (c.kernelLocalUsed) expect(local).toMatch(/^CONFIG_OVERLAY_FS_INDEX=y$/m);
      else expect(local).toBe(await readFile(distKernelLocal, 'utf8'));
    }

    const seen = new Set<string>();
    for (const target of c.runs) {
      const script = await configAssembly(out, c.spec, target, c.defines);
      const used = usedConfigs(script);
      const configs = await runAssembly(out, script);
      for (const [file, values] of configs) {
        const arch = ARCH_IN_NAME.exec(file)?.[1];
        if (!arch || !used.test(file)) continue; // a per-target run merges (and builds) only the target's configs
        seen.add(arch);
        const wanted = c.expect[arch] ?? {};
        for (const sym of ['OVERLAY_FS_INDEX', 'WIREGUARD']) {
          expect(values.get(sym), `${file} CONFIG_${sym}`).toBe(wanted[sym]);
        }
      }
    }
    for (const arch of Object.keys(c.expect)) expect(seen, `no final config of ${arch}`).toContain(arch);

    // overlaying the output again gives the same files
    const again = path.join(root, 'again');
    expect((await runKplay(['compose', 'variants/pg.yml', '--dist-git', out, '--out', again], { cwd: root })).exitCode).toBe(0);
    const names = (await readdir(out)).filter((n) => n !== 'manifest.json').sort();
    expect((await readdir(again)).filter((n) => n !== 'manifest.json').sort()).toEqual(names);
    for (const n of names) expect(await readFile(path.join(again, n), 'utf8'), n).toBe(await readFile(path.join(out, n), 'utf8'));
  });
});

describe('a variant arch the RHEL 8-era spec has no config for', () => {
  it("is an error that names the spec's own config naming, without guessing -rhel.config", async () => {
    const c = { ...CASES.find((x) => x.dir === 'c8-plus')!, arches: ['x86_64', 'aarch64'] };
    const root = await repoFor(c, 'dist-git');
    temps.push(root);
    await cp(path.join(REAL, c.dir), path.join(root, 'dist-git'), { recursive: true });
    const r = await runKplay(['compose', 'variants/pg.yml'], { cwd: root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /error E_OVERLAY_ANCHOR_MISSING: the spec has no config Source for aarch64 \(no 'kernel-plus-aarch64\[-<flavour>\]\.config'; its config Sources are kernel-plus-x86_64\.config\)/,
    );
    expect(r.stderr).not.toMatch(/rhel\.config/);
  });
});

describe('the SRPM keeps the modes of the dist-git files', () => {
  it('rpm -qlvp and the extracted SRPM show merge.pl / merge.py and the scripts executable, and an overlay of the SRPM keeps them', async () => {
    for (const c of [CASES[0]!, CASES.find((x) => x.dir === 'c9')!]) {
      const root = await repoFor(c, 'dist-git');
      temps.push(root);
      await cp(path.join(REAL, c.dir), path.join(root, 'dist-git'), { recursive: true });
      expect((await runKplay(['compose', 'variants/pg.yml'], { cwd: root })).exitCode).toBe(0);
      const out = path.join(root, 'out/pg');
      // stand-ins for the Sources the fixture leaves out (tarball, certificates, kabi lists)
      const src = await temp('srpm-src');
      await cp(out, src, { recursive: true });
      const parsed = (await execa('rpmspec', ['-P', path.join(src, c.spec)])).stdout;
      for (const m of parsed.matchAll(/^(?:Source|Patch)\d*:\s*(\S+)\s*$/gm)) {
        const file = path.join(src, path.basename(m[1]!));
        await stat(file).catch(() => writeFile(file, ''));
      }
      const top = await temp('srpm-top');
      await execa('rpmbuild', [
        '-bs',
        path.join(src, c.spec),
        '--define',
        `_topdir ${top}`,
        '--define',
        `_sourcedir ${src}`,
        '--define',
        `_specdir ${src}`,
        '--define',
        `_srcrpmdir ${top}`,
      ]);
      const srpm = path.join(
        top,
        (await readdir(top)).find((n) => n.endsWith('.src.rpm'))!,
      );
      const listing = (await execa('rpm', ['-qlvp', srpm])).stdout.split('\n');
      for (const f of c.executables)
        expect(
          listing.find((l) => l.endsWith(` ${f}`)),
          f,
        ).toMatch(/^-rwxr-xr-x/);
      expect(listing.find((l) => l.endsWith(` ${c.spec}`))).toMatch(/^-rw-r--r--/);
      const x = await temp('srpm-x');
      await execa('sh', ['-c', 'rpm2cpio "$1" | cpio -idm --quiet', 'x', srpm], { cwd: x });
      for (const f of c.executables) expect(((await stat(path.join(x, f))).mode & 0o777).toString(8), f).toBe('755');
      // and an overlay read from that SRPM (base.srpm) keeps them too
      await cp(srpm, path.join(root, 'base.src.rpm'));
      const yml = path.join(root, 'variants/pg.yml');
      await writeFile(yml, (await readFile(yml, 'utf8')).replace(/^ {2}path: .*$/m, '  srpm: ../base.src.rpm'));
      const again = await runKplay(['compose', 'variants/pg.yml', '--out', path.join(root, 'from-srpm')], { cwd: root });
      expect(again.exitCode, again.stderr).toBe(0);
      for (const f of c.executables) expect(((await stat(path.join(root, 'from-srpm', f))).mode & 0o777).toString(8), f).toBe('755');
    }
  });
});
