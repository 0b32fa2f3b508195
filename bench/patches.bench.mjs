#!/usr/bin/env node
/**
 * Benchmark: check a 50-patch series against the Linux 6.1 source tarball.
 *
 *   kplay cold  `kplay patches check --source linux-source-6.1.tar.xz` with an empty cache: one
 *               stream through the tarball keeping only the 25 files the series touches
 *   kplay warm  the same with the subset cache filled by an earlier run (no decompression)
 *   git         extract the whole tarball (`tar -xf`), then `git apply --check` the 50 patches
 *   (and, for reference, both tools on an already extracted tree, and kplay's check in process)
 *
 * Prints the median of BENCH_RUNS runs (default 3) of each, and the ratios. Needs `npm run build`
 * (the npm script does it) and Debian's linux-source-6.1 (KPLAY_BENCH_TARBALL to use another).
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const TARBALL = process.env.KPLAY_BENCH_TARBALL ?? '/usr/src/linux-source-6.1.tar.xz';
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const EXTRACTED = path.join(os.tmpdir(), 'kplay-test-trees', 'linux-source-6.1');

const FILES = [
  'fs/overlayfs/super.c',
  'fs/overlayfs/inode.c',
  'fs/overlayfs/copy_up.c',
  'fs/ext4/super.c',
  'fs/btrfs/super.c',
  'drivers/usb/serial/option.c',
  'drivers/hid/hid-ids.h',
  'drivers/hid/hid-quirks.c',
  'drivers/ata/ahci.c',
  'drivers/net/ethernet/realtek/r8169_main.c',
  'drivers/pci/quirks.c',
  'include/linux/pci_ids.h',
  'kernel/sched/core.c',
  'kernel/fork.c',
  'mm/page_alloc.c',
  'mm/vmscan.c',
  'net/ipv4/tcp.c',
  'net/core/dev.c',
  'init/Kconfig',
  'arch/x86/Kconfig',
  'lib/string.c',
  'sound/pci/hda/patch_realtek.c',
  'block/blk-core.c',
  'security/selinux/hooks.c',
  'Makefile',
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}

async function baseFiles() {
  if (existsSync(path.join(EXTRACTED, 'Makefile'))) {
    return new Map(await Promise.all(FILES.map(async (f) => [f, await readFile(path.join(EXTRACTED, f))])));
  }
  const { readTarballEntries } = await import(path.join(repo, 'dist/sources/tarball-entries.js'));
  const wanted = new Set(FILES);
  return readTarballEntries(TARBALL, (p) => wanted.has(p));
}

/** 50 commits, two per file (one near a third of the file, one near two thirds), as format-patch mails. */
async function writeSeries(work) {
  const files = await baseFiles();
  const src = path.join(work, 'src');
  await mkdir(src, { recursive: true });
  const git = (...args) =>
    execa('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', ...args], {
      cwd: src,
      env: { GIT_CEILING_DIRECTORIES: work },
    });
  for (const [f, content] of files) {
    await mkdir(path.dirname(path.join(src, f)), { recursive: true });
    await writeFile(path.join(src, f), content);
  }
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'base');
  for (let i = 0; i < 50; i++) {
    const f = FILES[i % FILES.length];
    const lines = (await readFile(path.join(src, f), 'latin1')).split('\n');
    const at = Math.floor((lines.length * (i < FILES.length ? 1 : 2)) / 3);
    lines.splice(at, 1, `${lines[at]} /* bench ${i} */`, `/* bench ${i}: added */`);
    await writeFile(path.join(src, f), lines.join('\n'), 'latin1');
    await git('commit', '-q', '-am', `bench: change ${i} to ${f}`);
  }
  const series = path.join(work, 'series');
  await git('format-patch', '-q', '-50', '-o', series);
  return series;
}

async function main() {
  if (!existsSync(TARBALL)) {
    console.log(`bench:patches: ${TARBALL} is missing (apt-get install linux-source-6.1); nothing measured`);
    return;
  }
  if (!existsSync(cli)) throw new Error('run `npm run build` first');
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-bench-patches-'));
  try {
    const series = await writeSeries(work);
    const patches = (await execa('ls', [series])).stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => path.join(series, f));
    console.log(
      `bench:patches: ${patches.length}-patch series over ${FILES.length} files, ${TARBALL}, ${RUNS} runs each, ${os.cpus().length} CPUs`,
    );
    const kplay = (source, cacheArgs) =>
      execa('node', [cli, 'patches', 'check', '--json', '--source', source, ...cacheArgs, series], { reject: false, cwd: work });
    const check = (r, what) => {
      const out = JSON.parse(r.stdout);
      const bad = out.results.filter((x) => x.status !== 'applied');
      if (r.exitCode !== 0 || bad.length) throw new Error(`${what}: expected the whole series to apply (exit ${r.exitCode})\n${r.stderr}`);
      return out;
    };

    const cold = [];
    for (let i = 0; i < RUNS; i++) {
      const cacheDir = path.join(work, `cache-cold-${i}`);
      const { ms, r } = await timed(() => kplay(TARBALL, ['--cache-dir', cacheDir]));
      if (check(r, 'kplay cold').fromCache) throw new Error('cold run was served from the cache');
      cold.push(ms);
    }
    const warmDir = path.join(work, 'cache-cold-0');
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      const { ms, r } = await timed(() => kplay(TARBALL, ['--cache-dir', warmDir]));
      if (!check(r, 'kplay warm').fromCache) throw new Error('warm run was not served from the cache');
      warm.push(ms);
    }
    const gitRuns = [];
    const gitApplyOnly = [];
    for (let i = 0; i < RUNS; i++) {
      const tree = path.join(work, `tree-${i}`);
      await mkdir(tree);
      const env = { GIT_CEILING_DIRECTORIES: work };
      const { ms } = await timed(async () => {
        await execa('tar', ['-xf', TARBALL, '-C', tree, '--strip-components=1']);
        const t = await timed(() => execa('git', ['apply', '--check', ...patches], { cwd: tree, env }));
        gitApplyOnly.push(t.ms);
      });
      gitRuns.push(ms);
      await rm(tree, { recursive: true, force: true });
    }
    const kplayTree = [];
    if (existsSync(path.join(EXTRACTED, 'Makefile'))) {
      for (let i = 0; i < RUNS; i++) {
        const { ms, r } = await timed(() => kplay(EXTRACTED, ['--no-cache']));
        check(r, 'kplay on the extracted tree');
        kplayTree.push(ms);
      }
    }

    const inProcess = [];
    if (existsSync(path.join(EXTRACTED, 'Makefile'))) {
      const { checkPatchesForSeries } = await import(path.join(repo, 'dist/patches/check-patches-for-series.js'));
      const seriesPatches = await Promise.all(
        patches.map(async (p) => ({ feature: 'bench', file: path.basename(p), text: await readFile(p) })),
      );
      for (let i = 0; i < RUNS; i++) {
        const { ms, r } = await timed(() => checkPatchesForSeries(seriesPatches, EXTRACTED, { cacheDir: false }));
        if (r.results.some((x) => x.status !== 'applied')) throw new Error('in-process check: the series did not apply');
        inProcess.push(ms);
      }
    }

    const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
    const rows = [
      ['kplay patches check, tarball, cold (empty cache)', median(cold)],
      ['kplay patches check, tarball, warm (subset cache)', median(warm)],
      ['tar -xf + git apply --check (50 patches)', median(gitRuns)],
      ['  of which git apply --check on the extracted tree', median(gitApplyOnly)],
      ...(kplayTree.length ? [['kplay patches check on the extracted tree', median(kplayTree)]] : []),
      ...(inProcess.length ? [['  of which checking (in process, no Node start-up)', median(inProcess)]] : []),
    ];
    for (const [what, ms] of rows) console.log(`  ${what.padEnd(54)} median ${f(ms)}`);
    console.log(`  ratio cold: git extract+check / kplay = ${(median(gitRuns) / median(cold)).toFixed(2)}x`);
    console.log(`  ratio warm: git extract+check / kplay = ${(median(gitRuns) / median(warm)).toFixed(1)}x`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
