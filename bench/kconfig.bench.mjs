// Benchmark: kplay's Kconfig resolve vs the kernel's own `conf --olddefconfig`, on Debian's Linux
// 6.1 and 6.12 with Debian's amd64 config (x86_64). Prints medians and ratios, each next to the
// command it is compared with (run in the same benchmark); asserts nothing.
//   warm: `kplay kconfig resolve --kernel-source <tarball>` with its caches filled (extracted subset,
//         parsed tree, shell results) vs conf built from the same tree's scripts/kconfig
//         (which spawns the compiler probes), plus the engine alone in a fresh node process
//   cold: kplay from a tarball never seen before vs plain `xz -dc -T0` of that tarball
//   tree: the tarball extracted once (not timed); kplay on that folder with an empty cache dir
//         (shell probes run, parse from scratch) vs `make ARCH=x86_64 olddefconfig` in a fresh
//         `cp -al` copy of the folder (scripts/kconfig not built yet: it builds conf too)
//   compose: `kplay compose variants/playground.yml --kernel-source <tarball>` cold (empty cache but
//         shell results, vs xz -dc) and warm (caches filled by one run first), next to Node
//         start-up plus the import of the compose command
//   explain: `kplay explain` warm for a choice member (CC_OPTIMIZE_FOR_SIZE) of a bench variant on
//         Debian's config, and CONFIG_WIREGUARD of variants/playground.yml
// KPLAY_BENCH_RUNS (default 5), KPLAY_BENCH_COLD_RUNS (default 1), KPLAY_BENCH_KERNELS (6.1,6.12),
// KPLAY_BENCH_PARTS (default warm,cold,tree,compose,explain; any subset), KPLAY_BENCH_COLD_SHELL=1
// for a cold run without shell results.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');
const cli = path.join(dist, 'cli', 'main.js');
const runs = Number(process.env.KPLAY_BENCH_RUNS ?? 5);
const coldRuns = Number(process.env.KPLAY_BENCH_COLD_RUNS ?? 1);
const kernels = (process.env.KPLAY_BENCH_KERNELS ?? '6.1,6.12').split(',');
const allParts = ['warm', 'cold', 'tree', 'compose', 'explain'];
const parts = new Set((process.env.KPLAY_BENCH_PARTS ?? allParts.join(',')).split(',').map((p) => p.trim()));
for (const p of parts) if (!allParts.includes(p)) throw new Error(`KPLAY_BENCH_PARTS: unknown part ${p} (known: ${allParts.join(',')})`);
const repo = path.join(here, '..');

const { loadKconfigTree } = await import(path.join(dist, 'kconfig', 'load-kconfig-tree.js'));
const { buildReferenceConf, referenceEnv } = await import(path.join(dist, 'kconfig', 'reference-conf.js'));

// Wall time of what fn runs: bash's own `time` of the command when fn went through run(). Timing
// spawnSync from here would add the cost of forking this process, which holds parsed trees and
// grows to several hundred MB: up to ~0.1 s that the measured command never pays.
function time(fn) {
  lastWall = NaN;
  const t0 = process.hrtime.bigint();
  fn();
  const outside = Number(process.hrtime.bigint() - t0) / 1e9;
  return Number.isNaN(lastWall) ? outside : lastWall;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const list = (xs) => `[${xs.map((t) => t.toFixed(2)).join(' ')}]`;
// wall and CPU seconds (user + system, the command and its children) of the last run(), via bash's `time`
let lastCpu = 0;
let lastWall = NaN;
const cpuOf = [];
function run(cmd, args, opts = {}) {
  loads.push(load());
  const quoted = [cmd, ...args].map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ${quoted} 2>/dev/null`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    ...opts,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  lastWall = m ? Number(m[1]) : NaN;
  lastCpu = m ? Number(m[2]) + Number(m[3]) : NaN;
  cpuOf.push(lastCpu);
}
/** The 1-minute load average now: printed next to every number (the machine may be shared). */
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
const loads = [];
/** The load averages seen during a part, for its line: `load 0.4-2.1`. */
function loadRange() {
  const xs = loads.splice(0).map(Number);
  return xs.length ? `load ${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}` : '';
}
function timed(fn) {
  const wall = time(fn);
  return { wall, cpu: lastCpu };
}

/** A vanilla variant on the tarball's own kernel version (bench-only, written to the work folder). */
function benchVariant(version, v) {
  return [
    `name: ${v.name}`,
    `summary: ${JSON.stringify(v.summary)}`,
    'base:',
    '  kind: vanilla',
    `  version: '${version}'`,
    '  source:',
    `    url: https://cdn.kernel.org/pub/linux/kernel/v${version.split('.')[0]}.x/linux-${version}.tar.xz`,
    '  config:',
    ...v.config,
    ...v.rest,
    'release: 1',
    'changelog:',
    "  - date: '2026-11-22'",
    '    author: kplay bench <bench@example.org>',
    '    text: bench',
    '',
  ].join('\n');
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
    const kplayArgs = (source, cacheDir, out = path.join(dir, 'kplay.config')) => [
      cli,
      'kconfig',
      'resolve',
      '--kernel-source',
      source,
      '--arch',
      'x86_64',
      '--config',
      config,
      '--out',
      out,
      '--cache-dir',
      cacheDir,
    ];
    const first = time(() => run('node', kplayArgs(tarball, cache)));
    const tree = await loadKconfigTree({ source: tarball, arch: 'x86_64', cacheDir: cache });
    const lines = [];
    const out = (line) => lines.push(line);

    if (parts.has('warm')) {
      const conf = await buildReferenceConf(tree.root, cache);
      const confEnv = { ...referenceEnv(tree), KCONFIG_CONFIG: path.join(dir, 'conf.config') };
      // side by side in each round: conf, kplay asked the same question again (its stored answer,
      // kconfig/resolve-memo.ts), and kplay asked a new question (the config plus a comment line
      // naming the round: the same values, another key, so the engine loads and resolves)
      const confTimes = [];
      const confCpu = [];
      const warmTimes = [];
      const warmCpu = [];
      const newTimes = [];
      const newCpu = [];
      const fresh = path.join(dir, 'fresh.config');
      const freshOut = path.join(dir, 'fresh-out.config');
      for (let i = 0; i < runs; i++) {
        writeFileSync(confEnv.KCONFIG_CONFIG, execFileSync('cat', [config]));
        const t = timed(() => run(conf, ['-s', '--olddefconfig', 'Kconfig'], { cwd: dir, env: confEnv }));
        confTimes.push(t.wall);
        confCpu.push(t.cpu);
        const h = timed(() => run('node', kplayArgs(tarball, cache)));
        warmTimes.push(h.wall);
        warmCpu.push(h.cpu);
        writeFileSync(fresh, `${readFileSync(config, 'latin1')}# bench round ${Date.now()}-${i}\n`, 'latin1');
        const args = kplayArgs(tarball, cache, freshOut);
        args[args.indexOf(config)] = fresh;
        const n = timed(() => run('node', args));
        newTimes.push(n.wall);
        newCpu.push(n.cpu);
      }
      const sameAnswer = readFileSync(freshOut, 'latin1') === readFileSync(path.join(dir, 'kplay.config'), 'latin1');
      const warmLoad = loadRange();

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
      const c = median(confTimes);
      const w = median(warmTimes);
      const nw = median(newTimes);
      const ew = median(engine.map((e) => e.wall));
      const cc = median(confCpu);
      const wc = median(warmCpu);
      out(`  warm part, side by side in each of ${runs} rounds (${warmLoad}):`);
      out(
        `  conf --olddefconfig (kernel's, built from the tree)  median ${c.toFixed(3)} s ${list(confTimes)}, CPU ${cc.toFixed(2)} s (with its compiler probes)`,
      );
      out(
        `  kplay kconfig resolve --kernel-source <tarball> (warm, same question: stored answer)  median ${w.toFixed(3)} s ${list(warmTimes)}   ${(w / c).toFixed(2)}x conf (target <= 0.10x); CPU ${wc.toFixed(2)} s = ${(wc / cc).toFixed(2)}x conf's CPU`,
      );
      out(
        `  kplay kconfig resolve --kernel-source <tarball> (warm, new question: engine)  median ${nw.toFixed(3)} s ${list(newTimes)}   ${(nw / c).toFixed(2)}x conf; CPU ${median(newCpu).toFixed(2)} s = ${(median(newCpu) / cc).toFixed(2)}x conf's CPU; ${sameAnswer ? 'same .config' : 'DIFFERENT .config'}`,
      );
      out(
        `  engine alone, fresh process                        median ${ew.toFixed(3)} s (load ${median(engine.map((e) => e.load)).toFixed(3)} s, CPU ${median(engine.map((e) => e.cpu)).toFixed(3)} s)   ${(ew / c).toFixed(2)}x conf`,
      );
    }

    if (parts.has('cold')) {
      // side by side: xz alone, then kplay from the same tarball never seen before (a fresh cache
      // with the toolchain's shell results), with the CPU (user + sys, children included) of each
      const xzTimes = [];
      const xzCpu = [];
      const coldTimes = [];
      const coldCpu = [];
      for (let i = 0; i < coldRuns; i++) {
        const x = timed(() => run('sh', ['-c', `xz -dc -T0 ${tarball} > /dev/null`]));
        xzTimes.push(x.wall);
        xzCpu.push(x.cpu);
        const coldCache = path.join(dir, `cold-${i}`);
        mkdirSync(coldCache);
        if (!process.env.KPLAY_BENCH_COLD_SHELL) execFileSync('cp', ['-r', path.join(cache, 'kconfig-shell'), coldCache]);
        const k = timed(() => run('node', kplayArgs(tarball, coldCache)));
        coldTimes.push(k.wall);
        coldCpu.push(k.cpu);
        rmSync(coldCache, { recursive: true, force: true });
      }
      const x = median(xzTimes);
      const k = median(coldTimes);
      out(`  cold part, side by side in each of ${coldRuns} rounds (${loadRange()}):`);
      out(
        `  xz -dc -T0 <tarball>                               median ${x.toFixed(3)} s ${list(xzTimes)}, CPU ${median(xzCpu).toFixed(2)} s`,
      );
      out(
        `  kplay kconfig resolve --kernel-source <tarball> (cold)    median ${k.toFixed(3)} s ${list(coldTimes)}   ${(k / x).toFixed(2)}x xz (target <= 1.15x); CPU ${median(coldCpu).toFixed(2)} s = ${(median(coldCpu) / median(xzCpu)).toFixed(2)}x xz's CPU`,
      );
    }

    if (parts.has('tree')) {
      // the tarball extracted once (not timed); each timed run gets a fresh empty cache dir (kplay)
      // or a fresh hard-linked copy of the folder without scripts/kconfig built (make)
      const extractDir = path.join(dir, 'extracted');
      mkdirSync(extractDir);
      const extractTime = time(() => run('tar', ['-xf', tarball, '-C', extractDir]));
      const tops = readdirSync(extractDir);
      const src = tops.length === 1 ? path.join(extractDir, tops[0]) : extractDir;
      const makeTimes = [];
      const makeCpu = [];
      const kplayTimes = [];
      const kplayCpu = [];
      let identical = true;
      for (let i = 0; i < coldRuns; i++) {
        const copy = path.join(dir, `make-${i}`);
        execFileSync('cp', ['-al', src, copy]);
        copyFileSync(config, path.join(copy, '.config'));
        const m = timed(() => run('make', ['-s', 'ARCH=x86_64', 'olddefconfig'], { cwd: copy }));
        makeTimes.push(m.wall);
        makeCpu.push(m.cpu);
        const fresh = path.join(dir, `tree-cache-${i}`);
        mkdirSync(fresh);
        const kplayOut = path.join(dir, `tree-kplay-${i}.config`);
        const k = timed(() => run('node', kplayArgs(src, fresh, kplayOut)));
        kplayTimes.push(k.wall);
        kplayCpu.push(k.cpu);
        identical &&= readFileSync(kplayOut, 'latin1') === readFileSync(path.join(copy, '.config'), 'latin1');
        rmSync(copy, { recursive: true, force: true });
        rmSync(fresh, { recursive: true, force: true });
      }
      const mk = median(makeTimes);
      const kp = median(kplayTimes);
      out(
        `  make ARCH=x86_64 olddefconfig (cold, builds conf) median ${mk.toFixed(3)} s ${list(makeTimes)}, CPU ${median(makeCpu).toFixed(2)} s (tree extracted once in ${extractTime.toFixed(1)} s, not timed)`,
      );
      out(
        `  kplay kconfig resolve --kernel-source <dir> (empty cache) median ${kp.toFixed(3)} s ${list(kplayTimes)}   ${(kp / mk).toFixed(2)}x make (target <= 0.50x; ${loadRange()}); CPU ${median(kplayCpu).toFixed(2)} s; configs ${identical ? 'identical' : 'DIFFER'}`,
      );
      rmSync(extractDir, { recursive: true, force: true });
    }

    const kplayEnv = { env: { ...process.env, KPLAY_CACHE_DIR: cache }, cwd: repo };
    if (parts.has('compose') || parts.has('explain')) {
      // Node start-up plus the command's own module graph, nothing run: the floor of any warm command
      const floor = (mod) => {
        const ts = [];
        for (let i = 0; i < runs; i++)
          ts.push(time(() => run('node', ['--input-type=module', '-e', `await import(${JSON.stringify(mod)})`])));
        return ts;
      };
      const nodeOnly = [];
      for (let i = 0; i < runs; i++) nodeOnly.push(time(() => run('node', ['-e', '0'])));
      const mods = [];
      if (parts.has('compose')) mods.push('compose');
      if (parts.has('explain')) mods.push('explain');
      const floors = mods.map(
        (m) => `import of cli/${m}-command.js ${median(floor(path.join(dist, 'cli', `${m}-command.js`))).toFixed(3)} s`,
      );
      out(`  floor: node -e 0 median ${median(nodeOnly).toFixed(3)} s; node + ${floors.join(', node + ')}`);
    }

    if (parts.has('compose')) {
      const variant = path.join(repo, 'variants', 'playground.yml');
      const composeOut = path.join(dir, 'compose-out');
      const composeArgs = [cli, 'compose', variant, '--kernel-source', tarball, '--out', composeOut];
      // cold: nothing cached but the toolchain's shell results (the tarball read once for the
      // patch check and the Kconfig subset together, both arches parsed), next to xz alone
      const coldCache = path.join(dir, 'compose-cold-cache');
      mkdirSync(coldCache);
      execFileSync('cp', ['-r', path.join(cache, 'kconfig-shell'), coldCache]);
      const xzOnce = time(() => run('sh', ['-c', `xz -dc -T0 ${tarball} > /dev/null`]));
      const coldCompose = time(() =>
        run('node', [...composeArgs.slice(0, -1), path.join(dir, 'compose-cold-out')], {
          env: { ...process.env, KPLAY_CACHE_DIR: coldCache },
          cwd: repo,
        }),
      );
      rmSync(coldCache, { recursive: true, force: true });
      out(
        `  kplay compose variants/playground.yml --kernel-source <tarball> (cold: empty cache but shell results) ${coldCompose.toFixed(3)} s = ${(coldCompose / xzOnce).toFixed(2)}x xz -dc -T0 (${xzOnce.toFixed(3)} s); one decompression for patches and Kconfig`,
      );
      // once to fill the caches (tree subset, parsed trees for both arches, shell results)
      const r0 = spawnSync('node', composeArgs, { ...kplayEnv, encoding: 'utf8' });
      const ts = [];
      const cpu = [];
      for (let i = 0; i < runs; i++) {
        const t = timed(() => run('node', composeArgs, kplayEnv));
        ts.push(t.wall);
        cpu.push(t.cpu);
      }
      const m = median(ts);
      if (r0.status === 0) {
        out(
          `  kplay compose variants/playground.yml --kernel-source <tarball> (warm, x86_64 + aarch64)  median ${m.toFixed(3)} s ${list(ts)}, CPU ${median(cpu).toFixed(2)} s (target <= 0.5 s; ${loadRange()})`,
        );
      } else {
        const err = (r0.stderr.split('\n').find((l) => / error /.test(l)) ?? r0.stderr.trim().split('\n').pop()).slice(0, 160);
        out(
          `  kplay compose variants/playground.yml does not compose against Linux ${tree.kernelVersion} (exit ${r0.status}: ${err}); not a target measurement, the failing run (same work up to the patch check) takes median ${m.toFixed(3)} s ${list(ts)}`,
        );
        // the same shape on this kernel: the repository's features that apply to it (wireguard), both arches
        const vdir = path.join(dir, 'compose-variant');
        mkdirSync(vdir, { recursive: true });
        const vfile = path.join(vdir, `bench-${tree.kernelVersion}.yml`);
        writeFileSync(
          vfile,
          benchVariant(tree.kernelVersion, {
            name: 'bench-compose',
            summary: 'bench variant on the tarball kernel',
            config: ['    x86_64: defconfig', '    aarch64: defconfig'],
            rest: ['arches: [x86_64, aarch64]', 'features: [wireguard]', 'config:', '  CONFIG_IKCONFIG: y'],
          }),
        );
        const args = [cli, 'compose', vfile, '--root', repo, '--kernel-source', tarball, '--out', path.join(dir, 'compose-out-2')];
        const v0 = spawnSync('node', args, { ...kplayEnv, encoding: 'utf8' });
        if (v0.status !== 0) out(`  bench variant on ${tree.kernelVersion}: exit ${v0.status}: ${v0.stderr.trim().split('\n')[0]}`);
        else {
          const vt = [];
          const vc = [];
          for (let i = 0; i < runs; i++) {
            const t = timed(() => run('node', args, kplayEnv));
            vt.push(t.wall);
            vc.push(t.cpu);
          }
          out(
            `  kplay compose <bench variant: ${tree.kernelVersion}, wireguard> --kernel-source <tarball> (warm, x86_64 + aarch64)  median ${median(vt).toFixed(3)} s ${list(vt)}, CPU ${median(vc).toFixed(2)} s (target <= 0.5 s; ${loadRange()})`,
          );
        }
      }
    }

    if (parts.has('explain')) {
      // a variant on Debian's config (no features), next to a copy of that config, in the work folder
      const vdir = path.join(dir, 'variant');
      mkdirSync(vdir);
      copyFileSync(config, path.join(vdir, 'debian.config'));
      const variantFile = path.join(vdir, 'bench-debian.yml');
      writeFileSync(
        variantFile,
        benchVariant(tree.kernelVersion, {
          name: 'bench-debian',
          summary: "bench variant on Debian's amd64 config",
          config: ['    x86_64: { file: debian.config }'],
          rest: ['arches: [x86_64]', 'features: []'],
        }),
      );
      const cases = [
        ['Debian config (bench variant) CONFIG_CC_OPTIMIZE_FOR_SIZE', [cli, 'explain', variantFile, 'CONFIG_CC_OPTIMIZE_FOR_SIZE']],
        ['variants/playground.yml CONFIG_WIREGUARD', [cli, 'explain', path.join(repo, 'variants', 'playground.yml'), 'CONFIG_WIREGUARD']],
      ];
      for (const [label, args] of cases) {
        const full = [...args, '--arch', 'x86_64', '--kernel-source', tarball];
        const r0 = spawnSync('node', full, { ...kplayEnv, encoding: 'utf8' });
        if (r0.status !== 0) {
          out(`  kplay explain ${label}: exit ${r0.status}: ${r0.stderr.trim().split('\n')[0]}`);
          continue;
        }
        const ts = [];
        const cpu = [];
        for (let i = 0; i < runs; i++) {
          const t = timed(() => run('node', full, kplayEnv));
          ts.push(t.wall);
          cpu.push(t.cpu);
        }
        const answer = r0.stdout.split('\n')[0];
        out(
          `  kplay explain ${label} (warm)  median ${median(ts).toFixed(3)} s ${list(ts)}, CPU ${median(cpu).toFixed(2)} s (target <= 0.3 s; ${loadRange()}) -> ${answer}`,
        );
      }
    }

    console.log(
      `kconfig bench: Linux ${tree.kernelVersion} x86_64, Debian amd64 config (${runs} runs, ${coldRuns} cold; first kplay run ${first.toFixed(1)} s)`,
    );
    for (const line of lines) console.log(line);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
