import { execa } from 'execa';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect } from 'vitest';
import type { TryReport } from '../../src/try/try-report.js';
import { describeExhaustive, itExhaustive } from '../support/exhaustive.js';
import { extractedKernelTree, KERNEL_TIER_KPLAY_CACHE, LINUX_612_TARBALL, requireSystemFile } from '../support/kernel-tree.js';
import { ROOT_OF_REPO } from '../support/paths.js';
import { runKplay } from '../support/run-kplay.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * `npm run test:boot` (and `npm run test:exhaustive`): kplay try --boot builds real kernels from
 * Debian's 6.12 tree in the sandbox and boots them in QEMU. The first build fills kplay's ccache
 * (kept in the kernel tier's cache); the other two use the same config, so they rebuild from it.
 */
const MINUTES = 60_000;
let repo: string;
let tree: string;

async function kplayTry(variant: string, ...extra: string[]): Promise<{ exitCode: number; report: TryReport; stderr: string }> {
  const r = await runKplay(['try', variant, '--kernel-source', tree, '--json', ...extra], {
    cwd: repo,
    env: { KPLAY_CACHE_DIR: KERNEL_TIER_KPLAY_CACHE },
    timeout: 90 * MINUTES,
  });
  return { exitCode: r.exitCode, report: JSON.parse(r.stdout) as TryReport, stderr: r.stderr };
}

/** A patch that adds a line gcc refuses to fs/overlayfs/params.c, made with git diff from the real file. */
async function breakingPatch(): Promise<{ text: string; hunkLine: number }> {
  const work = await tempDir('kplay-try-break-');
  const rel = 'fs/overlayfs/params.c';
  const orig = readFileSync(path.join(tree, rel), 'latin1').split('\n');
  const at = orig.findIndex((l) => l.startsWith('static bool ovl_redirect_dir_def'));
  const changed = [...orig.slice(0, at), 'static int kplay_try_broken = ;', ...orig.slice(at)];
  for (const [side, lines] of [
    ['a', orig],
    ['b', changed],
  ] as const) {
    mkdirSync(path.join(work, side, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(work, side, rel), lines.join('\n'), 'latin1');
  }
  const d = await execa('git', ['diff', '--no-index', '--no-prefix', `a/${rel}`, `b/${rel}`], { cwd: work, reject: false });
  const text = d.stdout
    .replace(`--- a/${rel}`, `--- a/${rel}`)
    .replace(/^diff --git .*$/m, `diff --git a/${rel} b/${rel}`)
    .replace(`+++ b/${rel}`, `+++ b/${rel}`);
  const lines = `${text}\n`.split('\n');
  return { text: `${text}\n`, hunkLine: lines.findIndex((l) => l.startsWith('@@')) + 1 };
}

describeExhaustive('kplay try --boot on Debian 6.12', () => {
  beforeAll(async () => {
    requireSystemFile(LINUX_612_TARBALL);
    requireSystemFile('/usr/bin/qemu-system-x86_64', 'qemu-system-x86');
    requireSystemFile('/bin/busybox', 'busybox-static');
    tree = await extractedKernelTree(LINUX_612_TARBALL);
    repo = await tempDir('kplay-try-repo-');
    cpSync(path.join(ROOT_OF_REPO, 'features'), path.join(repo, 'features'), { recursive: true });
    cpSync(path.join(ROOT_OF_REPO, 'variants'), path.join(repo, 'variants'), { recursive: true });
    const pg = readFileSync(path.join(ROOT_OF_REPO, 'variants/playground.yml'), 'utf8');
    // the playground with one more feature each: same config values, so ccache serves the build
    mkdirSync(path.join(repo, 'features/failing-smoke'));
    writeFileSync(
      path.join(repo, 'features/failing-smoke/feature.yml'),
      'summary: a smoke test that fails\ntest:\n  run:\n    - "true"\n    - test -e /kplay-no-such-file\n',
    );
    writeFileSync(
      path.join(repo, 'variants/smoke-fails.yml'),
      pg.replace('name: playground', 'name: smoke-fails').replace('  - wireguard\n', '  - wireguard\n  - failing-smoke\n'),
    );
    const broken = await breakingPatch();
    mkdirSync(path.join(repo, 'features/broken-build/patches'), { recursive: true });
    writeFileSync(path.join(repo, 'features/broken-build/feature.yml'), 'summary: a patch that applies and does not compile\n');
    writeFileSync(path.join(repo, 'features/broken-build/patches/0001-break.patch'), broken.text);
    writeFileSync(path.join(repo, 'features/broken-build/hunk-line'), String(broken.hunkLine));
    writeFileSync(
      path.join(repo, 'variants/broken.yml'),
      pg.replace('name: playground', 'name: broken').replace('  - wireguard\n', '  - wireguard\n  - broken-build\n'),
    );
  }, 30 * MINUTES);

  itExhaustive(
    'the shipped playground variant builds, boots, and passes every shipped smoke test',
    async () => {
      const { exitCode, report, stderr } = await kplayTry('variants/playground.yml', '--boot');
      expect(
        report.findings.filter((f) => f.severity === 'error'),
        stderr,
      ).toEqual([]);
      expect(exitCode).toBe(0);
      expect(report.build?.ok).toBe(true);
      expect(report.boot).toMatchObject({ booted: true, finished: true });
      const byName = Object.fromEntries(report.features.map((f) => [f.name, f]));
      expect(byName.overlayfs).toMatchObject({ status: 'pass', modules: [{ name: 'overlay', loaded: true }] });
      expect(byName.overlayfs!.tests.every((t) => t.rc === 0)).toBe(true);
      expect(byName.wireguard).toMatchObject({ status: 'pass', modules: [{ name: 'wireguard', loaded: true }] });
      expect(byName.wireguard!.tests.every((t) => t.rc === 0)).toBe(true);
    },
    90 * MINUTES,
  );

  itExhaustive(
    'a feature whose smoke test fails is E_TRY_SMOKE at its test line, naming the feature and the command',
    async () => {
      const { exitCode, report } = await kplayTry('variants/smoke-fails.yml', '--boot');
      expect(exitCode).toBe(1);
      const smoke = report.findings.filter((f) => f.code === 'E_TRY_SMOKE');
      expect(smoke).toHaveLength(1);
      expect(smoke[0]).toMatchObject({ feature: 'failing-smoke', where: { file: 'features/failing-smoke/feature.yml', line: 5 } });
      expect(smoke[0]!.message).toContain('test -e /kplay-no-such-file');
      expect(report.features.find((f) => f.name === 'overlayfs')?.status).toBe('pass');
      expect(report.features.find((f) => f.name === 'failing-smoke')?.status).toBe('fail');
    },
    90 * MINUTES,
  );

  itExhaustive(
    'a feature whose patch applies but does not compile is E_TRY_BUILD at its hunk',
    async () => {
      const { exitCode, report } = await kplayTry('variants/broken.yml');
      expect(exitCode).toBe(1);
      const build = report.findings.filter((f) => f.code === 'E_TRY_BUILD');
      expect(build).toHaveLength(1);
      const hunkLine = Number(readFileSync(path.join(repo, 'features/broken-build/hunk-line'), 'utf8'));
      expect(build[0]).toMatchObject({
        feature: 'broken-build',
        where: { file: 'features/broken-build/patches/0001-break.patch', line: hunkLine },
      });
      expect(build[0]!.message).toMatch(/fs\/overlayfs\/params\.c:\d+:\d+: error: expected expression/);
      expect(report.boot).toBeUndefined();
    },
    90 * MINUTES,
  );
});
