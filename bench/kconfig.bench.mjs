// Benchmark: kplay's Kconfig resolve vs the kernel's own `conf --olddefconfig` on Linux 6.1 with
// Debian's amd64 config. Prints medians and ratios; asserts nothing.
//   warm: kplay with its caches filled (parsed tree + shell results) vs conf (which spawns the
//         compiler probes): the whole CLI, and the engine alone in a fresh node process (load the
//         tree, resolve, write the .config) with its own wall and CPU time
//   cold: kplay from the source tarball never seen before vs plain `xz -dc` of that tarball
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'cli', 'main.js');
const tarball = '/usr/src/linux-source-6.1.tar.xz';
const debianXz = '/usr/src/linux-config-6.1/config.amd64_none_amd64.xz';
const runs = Number(process.env.KPLAY_BENCH_RUNS ?? 5);
const coldRuns = Number(process.env.KPLAY_BENCH_COLD_RUNS ?? 2);

if (!existsSync(tarball) || !existsSync(debianXz)) {
  console.log('bench:kconfig needs Debian linux-source-6.1 and linux-config-6.1; skipping');
  process.exit(0);
}

function extractedTree() {
  const root = path.join(os.tmpdir(), 'kplay-test-trees');
  const tree = path.join(root, 'linux-source-6.1');
  if (existsSync(path.join(tree, 'Makefile'))) return tree;
  const partial = `${tree}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  execFileSync('tar', ['-xf', tarball, '-C', partial, '--strip-components=1']);
  try {
    renameSync(partial, tree);
  } catch {
    rmSync(partial, { recursive: true, force: true });
  }
  return tree;
}

function time(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

const tree = extractedTree();
const work = mkdtempSync(path.join(os.tmpdir(), 'kplay-bench-kconfig-'));
const config = path.join(work, 'debian.config');
writeFileSync(config, execFileSync('xz', ['-dc', debianXz]));
const build = path.join(work, 'build');
mkdirSync(build);

// Build the kernel's conf once, then time conf itself (as `make olddefconfig` runs it).
writeFileSync(path.join(build, '.config'), execFileSync('cat', [config]));
run('make', ['-s', '-C', tree, `O=${build}`, 'ARCH=x86_64', 'olddefconfig']);
const version = execFileSync('make', ['-s', '-C', tree, 'kernelversion'], { encoding: 'utf8' }).trim();
const ccVersion = execFileSync('sh', ['-c', 'LC_ALL=C gcc --version | head -n 1'], { encoding: 'utf8' }).trim();
const confEnv = { ...process.env, srctree: tree, ARCH: 'x86_64', SRCARCH: 'x86', CC: 'gcc', LD: 'ld', KERNELVERSION: version, CC_VERSION_TEXT: ccVersion };
const confTimes = [];
for (let i = 0; i < runs; i++) {
  writeFileSync(path.join(build, '.config'), execFileSync('cat', [config]));
  confTimes.push(time(() => run(path.join(build, 'scripts/kconfig/conf'), ['-s', '--olddefconfig', 'Kconfig'], { cwd: build, env: confEnv })));
}

const cache = path.join(work, 'cache');
const kplayArgs = (source, cacheDir) => [cli, 'kconfig', 'resolve', '--source', source, '--arch', 'x86_64', '--config', config, '--out', path.join(work, 'kplay.config'), '--cache-dir', cacheDir];
run('node', kplayArgs(tree, cache)); // fill the shell cache
const warmTimes = [];
for (let i = 0; i < runs; i++) warmTimes.push(time(() => run('node', kplayArgs(tree, cache))));

// the engine alone: what `kplay kconfig resolve` does minus the CLI's start-up (every command module)
const engineScript = `
const t0 = performance.now();
const k = await import(${JSON.stringify(path.join(here, '..', 'dist', 'kconfig', 'index.js'))});
const fs = await import('node:fs');
const tree = await k.loadKconfigTree({ source: process.argv[1], arch: 'x86_64', cacheDir: process.argv[2] });
const r = k.resolveConfig(tree, { base: fs.readFileSync(process.argv[3], 'latin1'), requests: [] });
fs.writeFileSync(process.argv[4], r.configText);
const c = process.cpuUsage();
console.log(JSON.stringify({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 }));`;
const engineWall = [];
const engineCpu = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync('node', ['--input-type=module', '-e', engineScript, tree, cache, config, path.join(work, 'engine.config')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`engine run failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout);
  engineWall.push(m.wall);
  engineCpu.push(m.cpu);
}
const nodeStart = [];
for (let i = 0; i < runs; i++) nodeStart.push(time(() => run('node', ['-e', '0'])));
const cliStart = [];
for (let i = 0; i < runs; i++) cliStart.push(time(() => run('node', [cli, '--version'])));

const xzTimes = [];
const coldTimes = [];
for (let i = 0; i < coldRuns; i++) {
  xzTimes.push(time(() => run('sh', ['-c', `xz -dc -T0 ${tarball} > /dev/null`])));
  const coldCache = path.join(work, `cold-${i}`);
  // the shell-result cache is copied in (same toolchain): "cold" means the tarball was never read
  // before (set KPLAY_BENCH_COLD_SHELL=1 to start without shell results too)
  mkdirSync(coldCache);
  if (!process.env.KPLAY_BENCH_COLD_SHELL) execFileSync('cp', ['-r', path.join(cache, 'kconfig-shell'), coldCache]);
  coldTimes.push(time(() => run('node', kplayArgs(tarball, coldCache))));
}

const c = median(confTimes);
const w = median(warmTimes);
const x = median(xzTimes);
const k = median(coldTimes);
console.log(`kconfig bench (Linux ${version}, Debian amd64 config, ${runs} runs, ${coldRuns} cold runs)`);
console.log(`  kernel conf --olddefconfig   median ${c.toFixed(3)} s  [${confTimes.map((t) => t.toFixed(2)).join(' ')}]`);
console.log(`  kplay kconfig resolve (warm) median ${w.toFixed(3)} s  [${warmTimes.map((t) => t.toFixed(2)).join(' ')}]  ratio ${(w / c).toFixed(2)}x conf (target <= 0.30x)`);
console.log(`  engine only, fresh process    median ${median(engineWall).toFixed(3)} s  [${engineWall.map((t) => t.toFixed(2)).join(' ')}]  ratio ${(median(engineWall) / c).toFixed(2)}x conf; CPU median ${median(engineCpu).toFixed(3)} s`);
console.log(`  node -e 0 / kplay --version  median ${median(nodeStart).toFixed(3)} s / ${median(cliStart).toFixed(3)} s  (process and CLI start-up inside the warm figure)`);
console.log(`  xz -dc tarball               median ${x.toFixed(3)} s  [${xzTimes.map((t) => t.toFixed(2)).join(' ')}]`);
console.log(`  kplay from tarball (cold)    median ${k.toFixed(3)} s  [${coldTimes.map((t) => t.toFixed(2)).join(' ')}]  ratio ${(k / x).toFixed(2)}x xz (target <= 1.20x)`);
rmSync(work, { recursive: true, force: true });
