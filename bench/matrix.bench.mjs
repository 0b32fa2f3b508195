// Benchmark: `kplay matrix` over 20 generated variants × 2 Debian kernel bases (6.1 and 6.12).
// Prints total time, time per cell, peak memory, and the speed-up of sharing per-base work
// (one Kconfig tree parse per base × arch) over composing each cell in its own process
// (`kplay compose --kernel-source`, which parses the trees again every time). Asserts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const cli = path.join(repo, 'dist', 'cli', 'main.js');
const bases = [
  { version: '6.1.192', tarball: '/usr/src/linux-source-6.1.tar.xz' },
  { version: '6.12.117', tarball: '/usr/src/linux-source-6.12.tar.xz' },
];
const variantCount = Number(process.env.KPLAY_BENCH_VARIANTS ?? 20);
const concurrency = Number(process.env.KPLAY_BENCH_CONCURRENCY ?? 2);
const naiveSamples = Number(process.env.KPLAY_BENCH_NAIVE_CELLS ?? 4);

if (bases.some((b) => !existsSync(b.tarball))) {
  console.log('bench:matrix needs Debian linux-source-6.1 and linux-source-6.12; skipping');
  process.exit(0);
}

// a throwaway repository: the shipped features, 20 variants with different feature sets and overrides
const root = mkdtempSync(path.join(os.tmpdir(), 'kplay-bench-matrix-'));
symlinkSync(path.join(repo, 'features'), path.join(root, 'features'));
mkdirSync(path.join(root, 'variants'));
const featureSets = [
  ['overlayfs', 'wireguard'],
  ['overlayfs'],
  ['wireguard'],
  ['overlayfs', 'wireguard', 'deprecated-drivers/megaraid_sas'],
  ['wireguard', 'deprecated-drivers/mptsas', 'deprecated-drivers/qla4xxx'],
];
const overrides = ['CONFIG_IKCONFIG: y', 'CONFIG_IKCONFIG_PROC: y', 'CONFIG_BPF_SYSCALL: y', 'CONFIG_TUN: m', 'CONFIG_VETH: m'];
const variants = [];
for (let i = 0; i < variantCount; i++) {
  const file = path.join(root, 'variants', `bench-${String(i).padStart(2, '0')}.yml`);
  const features = featureSets[i % featureSets.length];
  writeFileSync(
    file,
    [
      `name: bench-${String(i).padStart(2, '0')}`,
      'summary: benchmark variant',
      'base:',
      '  kind: vanilla',
      '  version: "6.1.192"',
      'arches: [x86_64, aarch64]',
      `features: [${features.join(', ')}]`,
      'config:',
      ...overrides.slice(0, 1 + (i % overrides.length)).map((o) => `  ${o}`),
      '',
    ].join('\n'),
  );
  variants.push(file);
}

function run(args) {
  const start = process.hrtime.bigint();
  // GNU time (Debian package time) reports the peak RSS; without it memory is not measured
  const gnuTime = existsSync('/usr/bin/time');
  const cmd = gnuTime ? ['/usr/bin/time', ['-f', '%M', process.execPath, cli, ...args]] : [process.execPath, [cli, ...args]];
  const r = spawnSync(cmd[0], cmd[1], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const maxRssKb = gnuTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { ms, maxRssKb, status: r.status, stderr: r.stderr };
}

// warm the on-disk caches (Kconfig subsets of the tarballs, shell results) so both sides start equal
run(['matrix', variants[0], ...bases.flatMap((b) => ['--base', `${b.version}=${b.tarball}`]), '--out', path.join(root, 'out', 'warm')]);

const matrix = run([
  'matrix',
  ...variants,
  ...bases.flatMap((b) => ['--base', `${b.version}=${b.tarball}`]),
  '--concurrency',
  String(concurrency),
  '--out',
  path.join(root, 'out', 'matrix'),
]);
if (matrix.status !== 0 && matrix.status !== 1) {
  console.log(matrix.stderr);
  process.exit(1);
}
const cells = variants.length * bases.length;

const naive = [];
for (let i = 0; i < naiveSamples; i++) {
  const base = bases[i % bases.length];
  naive.push(run(['compose', variants[i], '--kernel-source', base.tarball, '--out', path.join(root, 'out', `naive-${i}`)]));
}
const naivePerCell = naive.reduce((s, r) => s + r.ms, 0) / naive.length;

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `kplay matrix: ${variants.length} variants × ${bases.length} bases = ${cells} cells, concurrency ${concurrency}, arches x86_64 + aarch64`,
);
console.log(`  total                 ${fmt(matrix.ms)}`);
console.log(`  per cell              ${fmt(matrix.ms / cells)}`);
console.log(`  peak memory (max RSS) ${(matrix.maxRssKb / 1024).toFixed(0)} MiB`);
console.log(`one process per cell (kplay compose --kernel-source, ${naive.length} sampled cells):`);
console.log(`  per cell              ${fmt(naivePerCell)}   (peak ${(Math.max(...naive.map((r) => r.maxRssKb)) / 1024).toFixed(0)} MiB)`);
console.log(`  estimated total       ${fmt(naivePerCell * cells)}`);
console.log(`speed-up from sharing per-base work: ${((naivePerCell * cells) / matrix.ms).toFixed(1)}×`);
