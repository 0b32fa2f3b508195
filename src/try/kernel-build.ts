import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runSandboxed, type SandboxResult } from '../sandbox/run-sandboxed.js';
import { OUT_DIR, type WorkTree } from './work-tree.js';

/** On PATH (no process spawned). */
export function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface KernelBuildOptions {
  /** `make ARCH=` */
  makeArch: string;
  /** The image target and its path under the output folder (bzImage, arch/x86/boot/bzImage). */
  image: { target: string; path: string };
  /** The fully resolved .config to build. */
  configText: string;
  /** kplay's ccache folder (used when ccache is installed); writable in the sandbox. */
  ccacheDir?: string;
  jobs?: number;
  timeoutMs: number;
  /** `CROSS_COMPILE=` for another arch. */
  crossCompile?: string;
  signal?: AbortSignal;
  /** Progress lines (one per step). */
  onStep?: (step: string) => void;
}

export interface CcacheStats {
  hits: number;
  misses: number;
}

export interface KernelBuildResult {
  ok: boolean;
  /** The step that failed (olddefconfig, build, modules_install), with its output. */
  failed?: { step: string; result: SandboxResult };
  /** The kernel image, the installed modules folder and the release string. */
  image?: string;
  modulesDir?: string;
  kernelRelease?: string;
  /** The .config the kernel's own olddefconfig left (what was built). */
  finalConfig?: string;
  seconds: { config: number; build: number; modules: number };
  ccache?: CcacheStats;
  jobs: number;
}

async function ccacheStats(dir: string): Promise<CcacheStats | undefined> {
  try {
    const { stdout } = await execa('ccache', ['--print-stats'], { env: { CCACHE_DIR: dir } });
    const v = (k: string) => Number(new RegExp(`^${k}\\t(\\d+)$`, 'm').exec(stdout)?.[1] ?? 0);
    return { hits: v('direct_cache_hit') + v('preprocessed_cache_hit'), misses: v('cache_miss') };
  } catch {
    return undefined;
  }
}

/**
 * Build the kernel in the work tree, in the sandbox (the tree's Makefiles, Kconfig and scripts
 * are the variant's code): `make olddefconfig` over the resolved config, `make -jN <image>
 * modules`, `make modules_install` into the output folder. Only the output folder and the ccache
 * folder are writable; there is no network.
 */
export async function buildKernel(tree: WorkTree, opts: KernelBuildOptions): Promise<KernelBuildResult> {
  const jobs = opts.jobs ?? Math.max(1, os.availableParallelism());
  const ccache = opts.ccacheDir && onPath('ccache') ? opts.ccacheDir : undefined;
  if (ccache) await mkdir(ccache, { recursive: true });
  const writable = [tree.out, ...(ccache ? [ccache] : [])];
  const env: Record<string, string> = {
    KBUILD_BUILD_USER: 'kplay',
    KBUILD_BUILD_HOST: 'kplay-try',
    ...(ccache ? { CCACHE_DIR: ccache, CCACHE_NOHASHDIR: '1' } : {}),
  };
  const make = (targets: string[]) => [
    'make',
    `O=${OUT_DIR}`,
    `ARCH=${opts.makeArch}`,
    ...(opts.crossCompile ? [`CROSS_COMPILE=${opts.crossCompile}`] : []),
    ...(ccache ? [`CC=ccache ${opts.crossCompile ?? ''}gcc`, 'HOSTCC=ccache gcc'] : []),
    '-s',
    ...targets,
  ];
  const started = Date.now();
  const deadline = () => Math.max(1000, opts.timeoutMs - (Date.now() - started));
  const run = (argv: string[]) =>
    runSandboxed({
      argv,
      cwd: tree.src,
      readOnly: [tree.src],
      writable,
      env,
      timeoutMs: deadline(),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  const seconds = { config: 0, build: 0, modules: 0 };
  const before = ccache ? await ccacheStats(ccache) : undefined;

  await writeFile(path.join(tree.out, '.config'), opts.configText);
  opts.onStep?.('make olddefconfig');
  let t = Date.now();
  const cfg = await run(make(['olddefconfig']));
  seconds.config = (Date.now() - t) / 1000;
  if (cfg.exitCode !== 0) return { ok: false, failed: { step: 'olddefconfig', result: cfg }, seconds, jobs };
  const finalConfig = await readFile(path.join(tree.out, '.config'), 'latin1');

  opts.onStep?.(`make -j${jobs} ${opts.image.target} modules${ccache ? ' (ccache)' : ''}`);
  t = Date.now();
  const built = await run(make([`-j${jobs}`, opts.image.target, 'modules']));
  seconds.build = (Date.now() - t) / 1000;
  const after = ccache ? await ccacheStats(ccache) : undefined;
  const stats = before && after ? { hits: after.hits - before.hits, misses: after.misses - before.misses } : undefined;
  if (built.exitCode !== 0)
    return { ok: false, failed: { step: 'build', result: built }, seconds, finalConfig, jobs, ...(stats ? { ccache: stats } : {}) };

  opts.onStep?.('make modules_install');
  t = Date.now();
  const modRoot = path.join(tree.out, 'kplay-modules');
  const inst = await run(make(['modules_install', `INSTALL_MOD_PATH=${modRoot}`, 'INSTALL_MOD_STRIP=1', 'DEPMOD=/sbin/depmod']));
  seconds.modules = (Date.now() - t) / 1000;
  if (inst.exitCode !== 0)
    return {
      ok: false,
      failed: { step: 'modules_install', result: inst },
      seconds,
      finalConfig,
      jobs,
      ...(stats ? { ccache: stats } : {}),
    };
  const rel = await run(make(['kernelrelease']));
  const kernelRelease = rel.stdout.trim().split('\n').pop() ?? '';
  return {
    ok: true,
    image: path.join(tree.out, opts.image.path),
    modulesDir: path.join(modRoot, 'lib', 'modules', kernelRelease),
    kernelRelease,
    finalConfig,
    seconds,
    jobs,
    ...(stats ? { ccache: stats } : {}),
  };
}
