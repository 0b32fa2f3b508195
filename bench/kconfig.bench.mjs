// Benchmark: kplay's Kconfig resolve vs the kernel's own `conf --olddefconfig`, on Debian's Linux
// 6.1 and 6.12 with Debian's amd64 config (x86_64). Prints medians and ratios, each next to the
// command it is compared with (run in the same benchmark); asserts nothing.
//   warm: `kplay kconfig resolve --source <tarball>` with its caches filled (extracted subset,
//         parsed tree, shell results) vs conf built from the same tree's scripts/kconfig
//         (which spawns the compiler probes), plus the engine alone in a fresh node process
//   cold: kplay from a tarball never seen before vs plain `xz -dc -T0` of that tarball
// KPLAY_BENCH_RUNS (default 5), KPLAY_BENCH_COLD_RUNS (default 1), KPLAY_BENCH_KERNELS (6.1,6.12),
// KPLAY_BENCH_COLD_SHELL=1 for a cold run without shell results.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');
const cli = path.join(dist, 'cli', 'main.js');
const runs = Number(process.env.KPLAY_BENCH_RUNS ?? 5);
const coldRuns = Number(process.env.KPLAY_BENCH_COLD_RUNS ?? 1);
const kernels = (process.env.KPLAY_BENCH_KERNELS ?? '6.1,6.12').split(',');

const { loadKconfigTree } = await import(path.join(dist, 'kconfig', 'load-kconfig-tree.js'));
const { buildReferenceConf, referenceEnv } = await import(path.join(dist, 'kconfig', 'reference-conf.js'));

function time(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const list = (xs) => `[${xs.map((t) => t.toFixed(2)).join(' ')}]`;
// CPU seconds (user + system, the command and its children) of the last run(), via bash's `time`
let lastCpu = 0;
const cpuOf = [];
function run(cmd, args, opts = {}) {
  const quoted = [cmd, ...args].map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time ${quoted} 2>/dev/null`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    ...opts,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  lastCpu = m ? Number(m[1]) + Number(m[2]) : NaN;
  cpuOf.push(lastCpu);
}
function timed(fn) {
  const wall = time(fn);
  return { wall, cpu: lastCpu };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'kplay-bench-kconfig-'));
try {
  for (const version of kernels) {
    const tarball = `/usr/src/linux-source-${version}.tar.xz`;
    const debianXz = `/usr/src/linux-config-${version}/config.amd64_none_amd64.xz`;
    if (!existsSync(tarball) || !existsSync(debianXz)) {
      console.log(
        `bench:kconfig: ${tarball} or ${debianXz} missing (Debian linux-source-${version}, linux-config-${version}); skipping ${version}`,
      );
      continue;
    }
    const dir = path.join(work, version);
    mkdirSync(dir);
    const config = path.join(dir, 'debian.config');
    writeFileSync(config, execFileSync('xz', ['-dc', debianXz]));
    const cache = path.join(dir, 'cache');

    // kplay once (fills the caches: subset, shell results, parsed tree), then the same tree's conf
    const kplayArgs = (source, cacheDir) => [
      cli,
      'kconfig',
      'resolve',
      '--source',
      source,
      '--arch',
      'x86_64',
      '--config',
      config,
      '--out',
      path.join(dir, 'kplay.config'),
      '--cache-dir',
      cacheDir,
    ];
    const first = time(() => run('node', kplayArgs(tarball, cache)));
    const tree = await loadKconfigTree({ source: tarball, arch: 'x86_64', cacheDir: cache });
    const conf = await buildReferenceConf(tree.root, cache);
    const confEnv = { ...referenceEnv(tree), KCONFIG_CONFIG: path.join(dir, 'conf.config') };
    const confTimes = [];
    const confCpu = [];
    for (let i = 0; i < runs; i++) {
      writeFileSync(confEnv.KCONFIG_CONFIG, execFileSync('cat', [config]));
      const t = timed(() => run(conf, ['-s', '--olddefconfig', 'Kconfig'], { cwd: dir, env: confEnv }));
      confTimes.push(t.wall);
      confCpu.push(t.cpu);
    }
    const warmTimes = [];
    const warmCpu = [];
    for (let i = 0; i < runs; i++) {
      const t = timed(() => run('node', kplayArgs(tarball, cache)));
      warmTimes.push(t.wall);
      warmCpu.push(t.cpu);
    }

    const engineScript = `
const t0 = performance.now();
const k = await import(${JSON.stringify(path.join(dist, 'kconfig', 'index.js'))});
const fs = await import('node:fs');
const tree = await k.loadKconfigTree({ source: process.argv[1], arch: 'x86_64', cacheDir: process.argv[2] });
const t1 = performance.now();
const r = k.resolveConfig(tree, { base: fs.readFileSync(process.argv[3], 'latin1'), requests: [] });
fs.writeFileSync(process.argv[4], r.configText);
const c = process.cpuUsage();
console.log(JSON.stringify({ wall: (performance.now() - t0) / 1000, load: (t1 - t0) / 1000, cpu: (c.user + c.system) / 1e6 }));`;
    const engine = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync('node', ['--input-type=module', '-e', engineScript, tarball, cache, config, path.join(dir, 'engine.config')], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`engine run failed: ${r.stderr}`);
      engine.push(JSON.parse(r.stdout));
    }

    const xzTimes = [];
    const coldTimes = [];
    for (let i = 0; i < coldRuns; i++) {
      xzTimes.push(time(() => run('sh', ['-c', `xz -dc -T0 ${tarball} > /dev/null`])));
      const coldCache = path.join(dir, `cold-${i}`);
      mkdirSync(coldCache);
      if (!process.env.KPLAY_BENCH_COLD_SHELL) execFileSync('cp', ['-r', path.join(cache, 'kconfig-shell'), coldCache]);
      coldTimes.push(time(() => run('node', kplayArgs(tarball, coldCache))));
    }

    const c = median(confTimes);
    const w = median(warmTimes);
    const ew = median(engine.map((e) => e.wall));
    const x = median(xzTimes);
    const k = median(coldTimes);
    console.log(
      `kconfig bench: Linux ${tree.kernelVersion} x86_64, Debian amd64 config (${runs} runs, ${coldRuns} cold; first kplay run ${first.toFixed(1)} s)`,
    );
    const cc = median(confCpu);
    const wc = median(warmCpu);
    console.log(
      `  conf --olddefconfig (kernel's, built from the tree)  median ${c.toFixed(3)} s ${list(confTimes)}, CPU ${cc.toFixed(2)} s (with its compiler probes)`,
    );
    console.log(
      `  kplay kconfig resolve --source <tarball> (warm)    median ${w.toFixed(3)} s ${list(warmTimes)}   ${(w / c).toFixed(2)}x conf (target <= 0.30x); CPU ${wc.toFixed(2)} s = ${(wc / cc).toFixed(2)}x conf's CPU`,
    );
    console.log(
      `  engine alone, fresh process                        median ${ew.toFixed(3)} s (load ${median(engine.map((e) => e.load)).toFixed(3)} s, CPU ${median(engine.map((e) => e.cpu)).toFixed(3)} s)   ${(ew / c).toFixed(2)}x conf`,
    );
    console.log(`  xz -dc -T0 <tarball>                               median ${x.toFixed(3)} s ${list(xzTimes)}`);
    console.log(
      `  kplay kconfig resolve --source <tarball> (cold)    median ${k.toFixed(3)} s ${list(coldTimes)}   ${(k / x).toFixed(2)}x xz (target <= 1.20x)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
