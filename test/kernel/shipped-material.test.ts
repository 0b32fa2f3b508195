import { execa } from 'execa';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_OF_REPO } from '../support/fixture-repo.js';
import { KERNEL_TIER_KPLAY_CACHE, LINUX_612_TARBALL, requireSystemFile } from '../support/kernel-tree.js';
import { runKplay } from '../support/run-kplay.js';
import { shippedFeatures, shippedVariants } from '../support/shipped-material.js';
import { tempDir } from '../support/temp-dir.js';

// The material the repository ships (variants/, features/) must work on the bases it ships for:
// the vanilla variants on Debian's 6.1 and 6.12 trees (matrix-debian.test.ts runs them, the list
// read from variants/), and here the distribution overlays and the kmod package on Debian's 6.12
// tree with --kernel-source. Variants are read from the folder, so a new one is checked too.
//
// The overlay dist-git checkouts are the synthetic fedora-6.17 / centos-stream-9 fixtures with
// their config Sources replaced by whole configs of the same kernel line: Debian's own 6.12 amd64
// config (package linux-config-6.12) for x86_64 and the 6.12 tree's arch/arm64/configs/defconfig
// for aarch64, so olddefconfig sees a real distribution configuration, not a 40-line excerpt. The
// spec's own version (6.17.7, 5.14.0) differs from the tree's: W_KERNEL_SOURCE_VERSION says so.
const DEBIAN_612_AMD64_CONFIG = '/usr/src/linux-config-6.12/config.amd64_none_amd64.xz';
const FIXTURE_OF_KIND: Record<string, string> = { fedora: 'fedora-6.17', 'centos-stream': 'centos-stream-9' };

/** `CONFIG_X: m` (feature.yml, variant) or `CONFIG_X=m` / `# CONFIG_X is not set` (fragments) at file:line. */
async function requestedValue(where: string): Promise<string> {
  const [file, line] = [where.slice(0, where.lastIndexOf(':')), Number(where.slice(where.lastIndexOf(':') + 1))];
  const text = (await readFile(path.join(ROOT_OF_REPO, file), 'utf8')).split('\n')[line - 1]!.trim();
  const unset = /^# (CONFIG_\w+) is not set/.exec(text);
  if (unset) return 'n';
  const m = /^(CONFIG_\w+)\s*[:=]\s*(.*)$/.exec(text);
  if (!m) throw new Error(`${where}: not a config line: ${text}`);
  const v = m[2]!.replace(/^['"]|['"]$/g, '').trim();
  return v === 'false' ? 'n' : v === 'true' ? 'y' : v;
}

/** The value a symbol ends with in the build: kernel-local over the arch's config Source. */
function finalValue(symbol: string, source: string, kernelLocal: string): string | undefined {
  const last = (text: string) => {
    let v: string | undefined;
    for (const l of text.split('\n')) {
      if (l === `# ${symbol} is not set`) v = 'n';
      else if (l.startsWith(`${symbol}=`)) v = l.slice(symbol.length + 1).replace(/^"|"$/g, '');
    }
    return v;
  };
  return last(kernelLocal) ?? last(source);
}

/** `kplay compose … --json` of a shipped variant: its report, after asserting it has no errors and exit 0. */
async function composeClean(
  args: string[],
): Promise<{ checks: Record<string, string>; findings: Array<{ code: string; severity: string }> }> {
  const r = await runKplay(['compose', ...args, '--json'], { cwd: ROOT_OF_REPO, env: { KPLAY_CACHE_DIR: KERNEL_TIER_KPLAY_CACHE } });
  const report = JSON.parse(r.stdout) as {
    exitCode: number;
    checks: Record<string, string>;
    findings: Array<{ code: string; severity: string }>;
  };
  expect(
    report.findings.filter((f) => f.severity === 'error'),
    r.stderr,
  ).toEqual([]);
  expect(report.exitCode).toBe(0);
  return report;
}

describe('shipped material on the shipped bases', () => {
  const variants = shippedVariants();
  let work: string;
  /** Debian's own 6.12 amd64 config (package linux-config-6.12), decompressed once. */
  let amd64: string;
  beforeAll(async () => {
    requireSystemFile(LINUX_612_TARBALL);
    requireSystemFile(DEBIAN_612_AMD64_CONFIG, 'linux-config-6.12');
    work = await tempDir('kplay-shipped-');
    amd64 = (await execa('xz', ['-dc', DEBIAN_612_AMD64_CONFIG])).stdout;
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('every shipped feature is used by a shipped variant (so the variants below and matrix-debian check it)', () => {
    const used = new Set(variants.flatMap((v) => v.features));
    expect(shippedFeatures().filter((f) => !used.has(f))).toEqual([]);
    // and every shipped variant is of a kind one of these tests runs
    expect(variants.filter((v) => !['vanilla', 'kmod', ...Object.keys(FIXTURE_OF_KIND)].includes(v.kind))).toEqual([]);
  });

  for (const v of variants.filter((x) => x.kind in FIXTURE_OF_KIND)) {
    it(`${v.file} (${v.kind} overlay) composes on 6.12 with --kernel-source; every requested value ends in the arch's configs`, async () => {
      const distGit = path.join(work, v.name);
      await cp(path.join(ROOT_OF_REPO, 'test/fixtures/dist-git', FIXTURE_OF_KIND[v.kind]!), distGit, { recursive: true });
      const arm64 = (await execa('tar', ['-xJOf', LINUX_612_TARBALL, 'linux-source-6.12/arch/arm64/configs/defconfig'])).stdout;
      for (const f of (await readdir(distGit)).filter((n) => n.endsWith('.config'))) {
        if (/-x86_64[-.]/.test(f)) await writeFile(path.join(distGit, f), `# x86_64\n${amd64}\n`);
        else if (/-aarch64[-.]/.test(f)) await writeFile(path.join(distGit, f), `# arm64\n${arm64}\n`);
      }
      const out = path.join(work, `out-${v.name}`);
      const report = await composeClean([v.file, '--dist-git', distGit, '--kernel-source', LINUX_612_TARBALL, '--out', out]);
      expect(report.checks.kconfig).toMatch(/^resolved like make olddefconfig on .*linux-source-6\.12\.tar\.xz/);
      expect(report.findings.map((f) => f.code)).toContain('W_KERNEL_SOURCE_VERSION');
      const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as {
        config: Record<string, Record<string, string>>;
      };
      const kernelLocal = await readFile(path.join(out, 'kernel-local'), 'utf8');
      const written = await readdir(out);
      let checked = 0;
      for (const [arch, symbols] of Object.entries(manifest.config)) {
        const sources = written.filter((n) => n.endsWith('.config') && n.includes(`-${arch}-`) && !n.includes('debug'));
        expect(sources.length, `${arch} config Sources`).toBeGreaterThan(0);
        for (const source of sources) {
          const text = await readFile(path.join(out, source), 'utf8');
          for (const [symbol, where] of Object.entries(symbols)) {
            expect(finalValue(symbol, text, kernelLocal), `${symbol} in ${source} (asked at ${where})`).toBe(await requestedValue(where));
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  for (const v of variants.filter((x) => x.kind === 'kmod')) {
    it(`${v.file} (kmod) is checked against Debian's 6.12 tree and config: module folders, Kconfig, patches`, async () => {
      // the target kernel's config: Debian's own 6.12 amd64 config (no 6.12 kernel-devel is packaged here)
      const config = path.join(work, 'debian-6.12-amd64.config');
      await writeFile(config, amd64);
      const report = await composeClean([
        v.file,
        '--kernel-source',
        LINUX_612_TARBALL,
        '--kernel-config',
        config,
        '--out',
        path.join(work, `out-${v.name}`),
      ]);
      // the checks a tree allows ran; the compile test needs a kernel-devel and says it was skipped
      expect(report.checks.kconfig).toMatch(
        /request\(s\) resolved on .*debian-6\.12-amd64\.config \(x86_64\) with the Kconfig of .*linux-source-6\.12/,
      );
      expect(report.checks.folders).toMatch(/^module folders found in/);
      expect(report.checks.build ?? 'skipped').toMatch(/^skipped/);
    });
  }
});
