import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareSrpm } from '../../src/rpm/prepare-srpm.js';
import { distributionMacros } from '../../src/bases/overlay/distribution-macros.js';
import { makeFixtureRepo, ROOT_OF_REPO } from '../support/fixture-repo.js';
import { extractedKernelTree, LINUX_612_TARBALL, requireSystemFile } from '../support/kernel-tree.js';
import { describeExhaustive } from '../support/exhaustive.js';
import { testCacheDir } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The acceptance of issue 25 on real packaging: an overlay composed with --kernel-source, built
 * into an SRPM by `kplay srpm`'s code path (prepareSrpm), whose own %prep then runs in kplay's
 * sandbox with the distribution's config checks ON (`process_configs.sh -w -n -c`, shown below by
 * rpmspec -P), as a CentOS Stream 10 build root runs it (`%rhel 10`, `%centos 10`, bash as sh).
 *
 * Packaging: the CentOS Stream 10 Hyperscale SIG dist-git (kernel 6.11.1-0.hs1.el10, an
 * ARK-generated spec: test/fixtures/dist-git/real/c10s-hyperscale) with its 15 whole
 * `kernel-*-rhel.config` Sources (test/fixtures/dist-git/real-full-configs, origin recorded there).
 *
 * What stands in, and why:
 * - The kernel tree. The distribution's tarball (linux-6.11.1-0.hs1.el10.tar.xz, 140 MB, only on
 *   the CentOS lookaside) cannot be fetched here; Debian's Linux 6.12 source (the closest tree of
 *   this version line on the machine) is repacked under that name, trimmed to what %prep and its
 *   config checks read (every Kconfig file, the Makefiles, scripts/, COPYING, MAINTAINERS: process_configs.sh finds
 *   the top of the tree by it), and its empty
 *   `patch-6.11-redhat.patch` stands in for the distribution's patch (which is written for 6.11.1
 *   and does not apply to 6.12).
 * - The configs' new-in-6.12 options. process_configs.sh -n fails on every option of a newer tree
 *   that the 6.11 configs do not list, before any overlay is involved. So the distribution's own
 *   configs are first refreshed against the stand-in tree exactly as kernel-ark refreshes them for
 *   a new kernel (`make olddefconfig` with `CROSS_COMPILE=scripts/dummy-tools/`, the `# arch` line
 *   kept first); the baseline proof below shows the refreshed, un-overlaid package passes its own
 *   checks, so whatever fails afterwards is the overlay's doing.
 * - The Sources the fixture leaves out (kabi lists, certificates, filters): empty files, and a
 *   self-signed DER certificate where %prep runs openssl on one; the `sources` file names the
 *   stand-in lookaside files with their digests.
 *
 * Status (issue 25, last session): the exhaustive part does not pass yet. Run by hand through
 * `kplay srpm` (23 min wall on the shared machine, x86_64 + aarch64), the overlay's %prep got past
 * the patches, the config assembly, generate_all_configs.sh and merge.py, and then
 * `process_configs.sh -w -n -c` reported -c mismatches in 4 configs; which symbols was not
 * read (the finding keeps the last 4 log lines). The baseline has not been run to the end.
 *
 * Cost: about 2 × 15 olddefconfig/listnewconfig passes per %prep arch. Measured on the shared
 * 2-core machine: see the report of issue 25; the stand-in tarball and the refreshed configs are
 * cached in the test cache (keyed by the tree and the fixture).
 */
const FIXTURE = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/real/c10s-hyperscale');
const FULL_CONFIGS = path.join(ROOT_OF_REPO, 'test/fixtures/dist-git/real-full-configs/c10s-hyperscale-rhel-configs.tar.xz');
const TARBALL_NAME = 'linux-6.11.1-0.hs1.el10.tar.xz';
const TOP = 'linux-6.11.1-0.hs1.el10';
const LOOKASIDE_CERTS = [
  'fedoraimaca.x509',
  'nvidiagpuoot001.x509',
  'rheldup3.x509',
  'rhelima.x509',
  'rhelima_centos.x509',
  'rhelimaca1.x509',
  'rhelkpatch1.x509',
];
const LOOKASIDE_EMPTY = ['kernel-abi-stablelists-6.11.1-0.hs1.el10.tar.xz', 'kernel-kabi-dw-6.11.1-0.hs1.el10.tar.xz'];
const ARCH_OF_HEADER: Record<string, string> = { x86_64: 'x86_64', arm64: 'arm64', powerpc: 'powerpc', s390: 's390', riscv: 'riscv' };
/** The RPM arch in a config file name (kernel-x86_64-debug-rhel.config, kernel-6.11.1-aarch64-64k.config). */
const ARCH_IN_NAME = /-(x86_64|aarch64|ppc64le|s390x|riscv64)[-.]/;

let standin = '';
let refreshed = '';
let derCert: Buffer;
const temps: string[] = [];

afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function sha(file: string, algorithm = 'sha256'): Promise<string> {
  return createHash(algorithm)
    .update(await readFile(file))
    .digest('hex');
}

/** Files of the stand-in tree: what %prep, make olddefconfig/listnewconfig and the spec's shebang fix touch. */
async function standinList(tree: string): Promise<string[]> {
  const { stdout } = await execa(
    'find',
    [
      '.',
      '(',
      '-name',
      'Kconfig*',
      '-o',
      '-path',
      './scripts/*',
      '-o',
      '-path',
      './arch/*/Makefile*',
      '-o',
      '-path',
      './arch/*/tools/*',
      '-o',
      '-name',
      'Kbuild',
      ')',
      '-type',
      'f',
    ],
    { cwd: tree },
  );
  return [...stdout.split('\n').map((l) => l.replace(/^\.\//, '')), 'Makefile', 'COPYING', 'MAINTAINERS'].filter(Boolean).sort();
}

async function prepareStandins(): Promise<void> {
  requireSystemFile(LINUX_612_TARBALL);
  const tree = await extractedKernelTree(LINUX_612_TARBALL);
  const treeStamp = await readFile(path.join(tree, '.kplay-extracted'), 'utf8');
  const key = createHash('sha256')
    .update(treeStamp)
    .update(await sha(FULL_CONFIGS))
    .update('v2')
    .digest('hex')
    .slice(0, 16);
  const cache = path.join(testCacheDir(), 'prep-proof', `c10s-hyperscale-${key}`);
  standin = path.join(cache, TARBALL_NAME);
  refreshed = path.join(cache, 'configs');
  const der = path.join(cache, 'standin.der');
  if (!existsSync(path.join(cache, 'done'))) {
    const partial = `${cache}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(path.join(partial, 'configs'), { recursive: true });
    const list = path.join(partial, 'list.txt');
    await writeFile(list, (await standinList(tree)).join('\n') + '\n');
    await execa('sh', [
      '-c',
      `tar -C "$1" --transform "s|^|${TOP}/|" -cf - -T "$2" | xz -T2 -3 > "$3"`,
      'pack',
      tree,
      list,
      path.join(partial, TARBALL_NAME),
    ]);
    // the distribution's configs, refreshed for the stand-in tree as kernel-ark would (see above)
    const work = path.join(partial, 'tree');
    await mkdir(work);
    await execa('tar', ['-C', work, '-xJf', path.join(partial, TARBALL_NAME)]);
    await execa('tar', ['-C', path.join(partial, 'configs'), '-xJf', FULL_CONFIGS]);
    const src = path.join(work, TOP);
    const names = (await readdir(path.join(partial, 'configs'))).sort();
    const refresh = async (name: string): Promise<void> => {
      const file = path.join(partial, 'configs', name);
      const [header, ...rest] = (await readFile(file, 'utf8')).split('\n');
      const arch = ARCH_OF_HEADER[header!.replace(/^# /, '')];
      expect(arch, `${name} starts with ${header}`).toBeDefined();
      const tmp = path.join(partial, `.${name}`);
      await writeFile(tmp, rest.join('\n'));
      await execa('make', ['-s', '-C', src, `ARCH=${arch}`, 'CROSS_COMPILE=scripts/dummy-tools/', `KCONFIG_CONFIG=${tmp}`, 'olddefconfig']);
      await writeFile(file, `${header}\n${await readFile(tmp, 'utf8')}`);
      await rm(tmp, { force: true });
      await rm(`${tmp}.old`, { force: true });
    };
    await refresh(names[0]!); // builds scripts/kconfig/conf once
    const rest = names.slice(1);
    await Promise.all(
      [0, 1].map(async (k) => {
        for (let i = k; i < rest.length; i += 2) await refresh(rest[i]!);
      }),
    );
    await rm(work, { recursive: true, force: true });
    await execa('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(partial, 'k.pem'),
      '-subj',
      '/CN=kplay stand-in',
      '-days',
      '3650',
      '-outform',
      'der',
      '-out',
      path.join(partial, 'standin.der'),
    ]);
    await rm(cache, { recursive: true, force: true });
    await writeFile(path.join(partial, 'done'), '');
    await mkdir(path.dirname(cache), { recursive: true });
    await rename(partial, cache);
  }
  derCert = await readFile(der);
}

/** The dist-git of the proof: the fixture, its whole (refreshed) configs, the stand-ins of the missing Sources. */
async function distGit(root: string): Promise<{ dir: string; sourcesDir: string }> {
  const dir = path.join(root, 'dist-git');
  await cp(FIXTURE, dir, { recursive: true });
  await cp(refreshed, dir, { recursive: true });
  await writeFile(path.join(dir, 'patch-6.11-redhat.patch'), '');
  const sourcesDir = await tempDir('prep-proof-lookaside');
  temps.push(sourcesDir);
  await cp(standin, path.join(sourcesDir, TARBALL_NAME));
  for (const c of LOOKASIDE_CERTS) await writeFile(path.join(sourcesDir, c), derCert);
  for (const e of LOOKASIDE_EMPTY) await writeFile(path.join(sourcesDir, e), '');
  const lookaside = [...LOOKASIDE_EMPTY, TARBALL_NAME, ...LOOKASIDE_CERTS];
  const sources: string[] = [];
  for (const f of lookaside) sources.push(`SHA512 (${f}) = ${await sha(path.join(sourcesDir, f), 'sha512')}`);
  await writeFile(path.join(dir, 'sources'), sources.join('\n') + '\n');
  // the in-git Sources the fixture leaves out: every Source rpm names that is in neither place
  const { stdout } = await execa('rpmspec', ['-P', '--define', `_sourcedir ${dir}`, path.join(dir, 'kernel.spec')]);
  for (const m of stdout.matchAll(/^Source\d+:\s*(\S+)$/gm)) {
    const name = path.basename(m[1]!);
    if (existsSync(path.join(dir, name)) || lookaside.includes(name)) continue;
    await writeFile(path.join(dir, name), /\.(cer|x509)$/.test(name) ? derCert : '');
  }
  return { dir, sourcesDir };
}

/** symbol → value of a config file ('n' for "is not set"); the first occurrence wins, as in Kconfig. */
function valuesOf(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = /^CONFIG_(\w+)=(.*)$/.exec(line);
    const unset = /^# CONFIG_(\w+) is not set$/.exec(line);
    const [sym, value] = set ? [set[1]!, set[2]!] : unset ? [unset[1]!, 'n'] : [];
    if (sym && !values.has(sym)) values.set(sym, value!);
  }
  return values;
}

/** Symbols the kplay block of a config Source names (requested, consequences, exposed children). */
function blockSymbols(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# kplay: CONFIG_(\w+)(?:=(\S+)| is not set) \(/gm)) out.set(m[1]!, m[2] ?? 'n');
  return out;
}

async function finalConfigs(buildDir: string): Promise<Map<string, string>> {
  const { stdout } = await execa('find', [buildDir, '-path', '*/configs/*.config', '-not', '-name', 'partial-*']);
  const out = new Map<string, string>();
  for (const f of stdout.split('\n').filter(Boolean)) out.set(path.basename(f), await readFile(f, 'utf8'));
  return out;
}

/** kernel-x86_64-debug-rhel.config (Source) → kernel-6.11.1-x86_64-debug.config (what generate_all_configs.sh names it). */
function finalNameOf(source: string): string {
  return source.replace(/^kernel-/, 'kernel-6.11.1-').replace(/-rhel\.config$/, '.config');
}

async function repo(features: Record<string, string>, arches: string[]): Promise<string> {
  const root = await makeFixtureRepo({
    'variants/pg.yml': [
      'name: pg',
      "summary: playground overlay proven by the distribution's own %prep",
      'base:',
      '  kind: centos-stream',
      '  path: ../dist-git',
      `arches: [${arches.join(', ')}]`,
      `features: [${Object.keys(features)
        .map((f) => f.split('/')[0])
        .filter((f, i, a) => a.indexOf(f) === i)
        .join(', ')}]`,
      'buildid: .pg',
      'changelog:',
      '  - { date: "2026-11-22", author: "T <t@example.org>", text: "overlay" }',
    ].join('\n'),
    ...Object.fromEntries(Object.entries(features).map(([f, text]) => [`features/${f}`, text])),
  });
  temps.push(root);
  return root;
}

describe('%prep proof on real packaging: CentOS Stream 10 Hyperscale (ARK-generated spec)', () => {
  it("the spec's %prep runs the distribution's config checks, as a c10s build root does", async () => {
    const dir = FIXTURE;
    const spec = await readFile(path.join(dir, 'kernel.spec'), 'utf8');
    const defines = distributionMacros('centos-stream', spec);
    expect(defines).toEqual(['rhel 10', 'centos 10']);
    const { stdout } = await execa('rpmspec', [
      '-P',
      '--target',
      'x86_64',
      ...defines.flatMap((d) => ['--define', d]),
      '--define',
      `_sourcedir ${dir}`,
      path.join(dir, 'kernel.spec'),
    ]);
    expect(stdout).toMatch(/^\s*OPTS="\$OPTS -w -n -c"$/m);
    expect(stdout).toMatch(/^RHJOBS=\$RPM_BUILD_NCPUS SPECPACKAGE_NAME=kernel \.\/process_configs\.sh \$OPTS 6\.11\.1$/m);
  });
});

// about 15 olddefconfig + listnewconfig passes per %prep arch, three %prep runs: many minutes here
describeExhaustive('%prep proof on real packaging: CentOS Stream 10 Hyperscale, Debian 6.12 standing in', () => {
  beforeAll(prepareStandins, 1_800_000);

  it('baseline: the refreshed package, overlaid with nothing, passes its own %prep with the checks on', async () => {
    const root = await repo({ 'none/feature.yml': 'summary: nothing\n' }, ['x86_64']);
    const { sourcesDir } = await distGit(root);
    const started = Date.now();
    const r = await prepareSrpm(path.join(root, 'variants/pg.yml'), { kernelSource: standin, sourcesDir });
    console.log(`baseline %prep proof: ${((Date.now() - started) / 1000).toFixed(0)} s: ${r.compose.checks.prep}`);
    expect(r.compose.checks.prep).toMatch(/^%prep ran for x86_64 in [\d.]+ s/);
    expect(existsSync(r.srpmPath)).toBe(true);
  }, 1_800_000);

  it('an overlay with per-arch values and values that expose child options: %prep passes with -w -n -c; each value and child is in the final configs of exactly the arches that asked; every original line is still there', async () => {
    const root = await repo(
      {
        // every arch of the variant: a request with a child option (IKCONFIG_PROC), and a
        // change the distribution's other values depend on (BTRFS_FS=y selects XOR_BLOCKS…)
        'alpha/feature.yml': 'summary: alpha\nconfig:\n  CONFIG_IKCONFIG: y\n  CONFIG_BTRFS_FS: m\n',
        'beta/feature.yml': 'summary: beta\n',
        // one arch each: F2FS exposes nine child options on x86_64 only
        'beta/config.x86_64': 'CONFIG_F2FS_FS=m\n',
        'beta/config.aarch64': 'CONFIG_NILFS2_FS=m\n',
      },
      ['x86_64', 'aarch64'],
    );
    const { dir, sourcesDir } = await distGit(root);
    const finals = new Map<string, Map<string, string>>();
    const started = Date.now();
    const r = await prepareSrpm(path.join(root, 'variants/pg.yml'), {
      kernelSource: standin,
      sourcesDir,
      inspectPrep: async (arch, buildDir) => {
        finals.set(arch, await finalConfigs(buildDir));
      },
    });
    console.log(`overlay %prep proof: ${((Date.now() - started) / 1000).toFixed(0)} s: ${r.compose.checks.prep}`);
    expect(r.compose.checks.prep).toMatch(/^%prep ran for x86_64, aarch64 in [\d.]+ s/);
    expect(existsSync(r.srpmPath)).toBe(true);
    expect(r.compose.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const out = path.join(root, 'out/pg');

    const requested: Record<string, Record<string, string>> = {
      x86_64: { IKCONFIG: 'y', BTRFS_FS: 'm', F2FS_FS: 'm' },
      aarch64: { IKCONFIG: 'y', BTRFS_FS: 'm', NILFS2_FS: 'm' },
    };
    const sources = (await readdir(dir)).filter((n) => /^kernel-.*-rhel\.config$/.test(n)).sort();
    expect(sources).toHaveLength(15);
    let children = 0;
    for (const prepArch of ['x86_64', 'aarch64']) {
      const final = finals.get(prepArch)!;
      // every flavour's config is processed by every arch's %prep (process_configs.sh takes them all)
      expect([...final.keys()].sort()).toEqual(sources.map(finalNameOf).sort());
      for (const source of sources) {
        const arch = ARCH_IN_NAME.exec(source)![1]!;
        const original = await readFile(path.join(dir, source), 'utf8');
        const overlaid = await readFile(path.join(out, source), 'utf8');
        const finalText = final.get(finalNameOf(source))!;
        const finalValues = valuesOf(finalText);
        const block = blockSymbols(overlaid);
        const asked = requested[arch] ?? {};
        // the # arch line stays first, in the Source and in the final config
        expect(overlaid.split('\n')[0], source).toBe(original.split('\n')[0]);
        expect(finalText.split('\n')[0], source).toBe(original.split('\n')[0]);
        if (!Object.keys(asked).length) {
          // an arch that asked nothing: its Source is the distribution's bytes
          expect(overlaid, source).toBe(original);
        }
        for (const sym of ['IKCONFIG', 'BTRFS_FS', 'F2FS_FS', 'NILFS2_FS']) {
          const want = asked[sym] ?? valuesOf(original).get(sym) ?? 'n';
          expect(finalValues.get(sym) ?? 'n', `${source} CONFIG_${sym} after %prep for ${prepArch}`).toBe(want);
        }
        // every value kplay's block names (requests, their consequences, exposed children) is final
        for (const [sym, value] of block) {
          expect(finalValues.get(sym) ?? 'n', `${source} CONFIG_${sym} (kplay block)`).toBe(value);
        }
        const exposed = [...overlaid.matchAll(/^# kplay: CONFIG_(\w+).*\(new option exposed by CONFIG_(\w+)/gm)];
        children += exposed.length;
        for (const [, child, parent] of exposed) {
          expect(Object.keys(asked), `${source}: ${child} exposed by ${parent}`).toContain(parent);
          expect(finalValues.has(child!), `${source}: child CONFIG_${child} in the final config`).toBe(true);
        }
        // every original line is still there: in the Source, and in the final config, except the
        // lines of symbols the variant changed (named in its block)
        const touched = new Set(block.keys());
        const symOf = (l: string) => /^(?:# )?CONFIG_(\w+)[= ]/.exec(l)?.[1];
        const kept = original.split('\n').filter((l) => l && !touched.has(symOf(l) ?? ''));
        const overlaidLines = new Set(overlaid.split('\n'));
        const finalLines = new Set(finalText.split('\n'));
        expect(
          kept.filter((l) => !overlaidLines.has(l)),
          `${source}: original lines missing from kplay's Source`,
        ).toEqual([]);
        expect(
          kept.filter((l) => symOf(l) && !finalLines.has(l)),
          `${source}: original lines missing from the final config after %prep`,
        ).toEqual([]);
      }
    }
    // F2FS's children on the 4 x86_64 flavours, IKCONFIG_PROC on all 10 x86_64/aarch64 ones, per %prep arch
    expect(children).toBeGreaterThanOrEqual(2 * (4 * 9 + 10));
  }, 3_600_000);
});
