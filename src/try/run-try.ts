import { readFileSync, rmSync } from 'node:fs';
import { cleanupOnSignal } from '../fs/cleanup-on-signal.js';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { baseKindOf, kernelOrgVariant } from '../bases/index.js';
import { patchedKconfigSource } from '../bases/patched-kconfig-source.js';
import { resolveCheckMerge } from '../bases/resolve-check-merge.js';
import { findRepositoryRoot } from '../compose/find-root.js';
import { mergedRequests } from '../config/merge-config.js';
import { exitStatusForFindings } from '../findings/exit-code.js';
import { finding, hasErrors, UsageError, type Finding } from '../findings/finding.js';
import { pathExists } from '../fs/path-kind.js';
import { asUsageError, defaultCacheDir, loadKconfigTree, readBaseConfig, resolveConfig } from '../kconfig/index.js';
import { loadVariant } from '../load/load-variant.js';
import type { RpmArch } from '../model/arch.js';
import { compareKernelVersions, parseKernelVersion } from '../model/kernel-version.js';
import { displayPath } from '../model/safe-path.js';
import type { VanillaVariant, Variant } from '../model/variant.js';
import { sandboxAvailable, SandboxUnavailableError } from '../sandbox/run-sandboxed.js';
import { buildErrorFinding, firstBuildError, hunksTouching } from './compiler-error.js';
import { consoleTail, parseConsole } from './console-markers.js';
import { builtModules, modulesOfSymbols } from './feature-modules.js';
import { guestBudgetSeconds, initScript, testScriptEntries, type GuestFeature } from './init-script.js';
import { initramfs, isStaticElf, treeEntries } from './initramfs.js';
import { buildKernel, onPath } from './kernel-build.js';
import { bootKernel } from './qemu-boot.js';
import { resolveSmokeConfig } from './smoke-config.js';
import type { TryFeatureResult, TryReport } from './try-report.js';
import { prepareWorkTree } from './work-tree.js';

export interface TryOptions {
  arch?: RpmArch;
  kernelSource?: string;
  boot?: boolean;
  config?: 'smoke' | 'full';
  jobs?: number;
  /** Keep the work folder (tree, build, initramfs, console log) and say where. */
  keep?: boolean;
  root?: string;
  buildTimeoutMs?: number;
  /** Seconds the guest may take to boot to /init (TCG on a loaded machine is slow). */
  bootSeconds?: number;
  accel?: 'kvm' | 'tcg';
  signal?: AbortSignal;
  onStep?: (step: string) => void;
}

/** Per arch: the make ARCH, the image target and path, the QEMU and the cross compiler. */
const ARCH_BUILD: Partial<Record<RpmArch, { image: { target: string; path: string }; qemu: string; cross?: string }>> = {
  x86_64: { image: { target: 'bzImage', path: 'arch/x86/boot/bzImage' }, qemu: 'qemu-system-x86_64' },
  aarch64: { image: { target: 'Image', path: 'arch/arm64/boot/Image' }, qemu: 'qemu-system-aarch64', cross: 'aarch64-linux-gnu-' },
};

const HOST_ARCH: Record<string, RpmArch> = { x64: 'x86_64', arm64: 'aarch64' };

function toolFinding(tool: string, pkg: string, why: string): Finding {
  return finding('E_TRY_TOOL', `${tool} is not installed: ${why}`, { hint: `install it (${pkg})` });
}

/** The busybox to put in the initramfs: a static one (KPLAY_BUSYBOX, /bin/busybox, on PATH). */
async function staticBusybox(): Promise<Buffer | undefined> {
  const candidates = [process.env.KPLAY_BUSYBOX, '/bin/busybox', '/usr/bin/busybox', onPath('busybox')].filter((p): p is string => !!p);
  for (const c of candidates) {
    try {
      const bytes = await readFile(c);
      if (isStaticElf(bytes)) return bytes;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * `kplay try`: build the variant's patched tree with the smoke config (or its full config) in the
 * sandbox, and with `boot`, boot it in QEMU and run each feature's modules and `test:` lines.
 */
export async function runTry(variantPath: string, opts: TryOptions): Promise<TryReport> {
  const started = Date.now();
  const findings: Finding[] = [];
  const step = opts.onStep ?? (() => {});
  const configKind = opts.config ?? 'smoke';
  const report = (extra: Partial<Omit<TryReport, 'seconds'>> & { seconds?: Partial<TryReport['seconds']> } = {}): TryReport => {
    const exitCode = exitStatusForFindings(findings);
    return {
      variant: extra.variant ?? variantPath,
      arch: opts.arch ?? 'x86_64',
      config: configKind,
      kernelSource: opts.kernelSource ? displayPath(opts.kernelSource) : undefined,
      features: [],
      ...extra,
      findings,
      exitCode,
      seconds: { ...extra.seconds, total: (Date.now() - started) / 1000 },
    };
  };

  const loaded = await loadVariant(variantPath);
  findings.push(...loaded.findings);
  if (!loaded.variant || hasErrors(findings)) return report();
  let variant: Variant = loaded.variant;
  if (!kernelOrgVariant(variant)) {
    findings.push(
      finding('E_TRY_BASE', `kplay try builds kernel.org bases; ${variant.name} is a ${variant.base.kind} variant`, {
        where: variant.base.versionWhere,
        hint: 'try a vanilla variant, or build the SRPM of this one with rpmbuild',
      }),
    );
    return report({ variant: variant.name });
  }
  const arch: RpmArch = opts.arch ?? HOST_ARCH[process.arch] ?? 'x86_64';
  const archBuild = ARCH_BUILD[arch];
  if (!variant.arches.list.includes(arch) || !archBuild) {
    findings.push(
      finding(
        'E_TRY_BASE',
        `kplay try cannot build ${arch} for ${variant.name}: ${archBuild ? `the variant's arches are ${variant.arches.list.join(', ')}` : 'only x86_64 and aarch64 are built'}`,
        {
          where: variant.arches.where,
          hint: `pass --arch with one of: ${variant.arches.list.filter((a) => ARCH_BUILD[a]).join(', ')}`,
        },
      ),
    );
    return report({ variant: variant.name, arch });
  }
  if (!opts.kernelSource) throw new UsageError('kplay try needs --kernel-source <tree-or-tarball>: the kernel tree to patch and build');
  const kernelSource = path.resolve(opts.kernelSource);
  if (!(await pathExists(kernelSource)))
    throw new UsageError(`kernel source ${opts.kernelSource} does not exist (give an extracted tree or a tarball)`);

  // the tools, before any slow step
  const cross = HOST_ARCH[process.arch] === arch ? undefined : archBuild.cross;
  const missing: Finding[] = [];
  if (!onPath('make')) missing.push(toolFinding('make', 'Debian/Fedora: make', 'the kernel is built with it'));
  if (!onPath(`${cross ?? ''}gcc`))
    missing.push(
      toolFinding(
        `${cross ?? ''}gcc`,
        cross ? 'Debian: gcc-aarch64-linux-gnu; Fedora: gcc-aarch64-linux-gnu' : 'Debian/Fedora: gcc',
        'the kernel is compiled with it',
      ),
    );
  for (const t of ['flex', 'bison', 'bc']) if (!onPath(t)) missing.push(toolFinding(t, `Debian/Fedora: ${t}`, 'the kernel build needs it'));
  let busybox: Buffer | undefined;
  if (opts.boot) {
    busybox = await staticBusybox();
    if (!busybox)
      missing.push(
        toolFinding(
          'a static busybox',
          'Debian: busybox-static; Fedora: busybox',
          'the guest initramfs is made of it (or set KPLAY_BUSYBOX)',
        ),
      );
    if (!onPath(archBuild.qemu))
      missing.push(
        toolFinding(
          archBuild.qemu,
          arch === 'x86_64'
            ? 'Debian: qemu-system-x86; Fedora: qemu-system-x86-core'
            : 'Debian: qemu-system-arm; Fedora: qemu-system-aarch64-core',
          'the kernel is booted in it',
        ),
      );
  }
  const sandbox = await sandboxAvailable();
  if (!sandbox.ok && !process.argv.includes('--unsandboxed-i-trust-the-inputs'))
    throw new SandboxUnavailableError(sandbox.why, sandbox.install, 'kplay try (the kernel build)');
  if (missing.length) {
    findings.push(...missing);
    return report({ variant: variant.name, arch });
  }

  // the kernel source's release decides which of the features' patches apply
  step(`reading the Kconfig of ${displayPath(kernelSource)}`);
  const plain = await loadKconfigTree({ source: kernelSource, arch }).catch((err: unknown) => {
    throw asUsageError(err);
  });
  const have = parseKernelVersion(plain.kernelVersion);
  const want = parseKernelVersion(variant.base.version);
  if (have && want && compareKernelVersions(have, want) !== 0) {
    findings.push({
      code: 'W_KERNEL_SOURCE_VERSION',
      severity: 'warning',
      message: `the kernel source ${displayPath(kernelSource)} is Linux ${plain.kernelVersion}, but the variant builds ${variant.base.version}: kplay try builds ${plain.kernelVersion}, with the features' patches for ${plain.kernelVersion}`,
      where: variant.base.versionWhere,
      hint: 'pass the tarball of the base release with --kernel-source to try what the variant builds',
    });
    variant = baseKindOf(variant).withRelease(variant, { version: plain.kernelVersion, source: { url: `file://${kernelSource}` } });
  }
  const vanilla = variant as VanillaVariant;
  const root = opts.root ? path.resolve(opts.root) : await findRepositoryRoot(variantPath);

  step('resolving the features and applying their patches');
  const checks: Record<string, string> = {};
  const stages = await resolveCheckMerge(vanilla, root, findings, checks, { kernelSource });
  if (hasErrors(findings) || !stages.merged) return report({ variant: variant.name, arch });
  const merged = stages.merged.find((m) => m.arch === arch)!;
  const kconfig = patchedKconfigSource(kernelSource, stages.applied);
  const tree = await kconfig.treeOf(arch).catch((err: unknown) => {
    throw asUsageError(err);
  });

  const cacheDir = defaultCacheDir();
  const workDir = path.join(cacheDir, 'try', 'work', `${variant.name}-${arch}-${process.pid}`);
  // Ctrl-C or a kill leaves no work folder behind either (the sandbox kills the build first)
  const unregister = opts.keep ? () => {} : cleanupOnSignal(() => rmSync(workDir, { recursive: true, force: true }));
  const cleanup = async () => {
    unregister();
    if (!opts.keep) await rm(workDir, { recursive: true, force: true });
  };
  try {
    step(`preparing the patched tree (${stages.applied?.files.size ?? 0} file(s) changed by the series)`);
    const work = await prepareWorkTree(kernelSource, stages.applied?.files ?? new Map(), workDir, cacheDir);
    step(`resolving the ${configKind} config`);
    let configText: string;
    let values: ReadonlyMap<string, string>;
    if (configKind === 'smoke') {
      const readTreeFile = (rel: string) => {
        try {
          return readFileSync(path.join(work.src, rel), 'latin1');
        } catch {
          return undefined;
        }
      };
      const smoke = kconfig.guard(() => resolveSmokeConfig(tree, arch, mergedRequests(merged), readTreeFile));
      findings.push(...smoke.findings);
      configText = smoke.resolved.configText;
      values = smoke.resolved.values;
    } else {
      const base = vanilla.base.config[arch]!;
      if (base.kind === 'url')
        throw new UsageError(
          `--config full: the ${arch} base config is a URL; kplay try reads only local configs (a make target or a file)`,
        );
      const baseText = await kconfig.guard(() => readBaseConfig(tree, base.kind === 'target' ? base.target : base.path, arch));
      const resolved = kconfig.guard(() =>
        resolveConfig(tree, {
          base: baseText.text,
          baseFile: base.kind === 'file' ? base.display : `${displayPath(kernelSource)}:${baseText.file}`,
          baseOrigin: { kind: 'base', name: base.kind === 'target' ? base.target : base.display },
          requests: mergedRequests(merged),
        }),
      );
      findings.push(...resolved.findings.map((f) => ({ ...f, arch: f.arch ?? arch })));
      configText = resolved.configText;
      values = resolved.values;
    }
    if (hasErrors(findings))
      return report({ variant: variant.name, arch, seconds: { extract: work.extractSeconds, prepare: work.prepareSeconds } });
    const built = await buildKernel(work, {
      makeArch: tree.makeArch,
      image: archBuild.image,
      configText,
      ccacheDir: path.join(cacheDir, 'ccache'),
      timeoutMs: opts.buildTimeoutMs ?? 3 * 3600 * 1000,
      ...(opts.jobs ? { jobs: opts.jobs } : {}),
      ...(cross ? { crossCompile: cross } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onStep: step,
    });
    const buildInfo = {
      jobs: built.jobs,
      ...(built.ccache ? { ccache: built.ccache } : {}),
      ...(built.kernelRelease ? { kernelRelease: built.kernelRelease } : {}),
    };
    const seconds = { extract: work.extractSeconds, prepare: work.prepareSeconds, ...built.seconds };
    const keptAt = opts.keep ? { kept: workDir } : {};
    if (!built.ok) {
      const r = built.failed!.result;
      const log = `${r.stderr}\n${r.stdout}`;
      if (r.timedOut) {
        findings.push(
          finding(
            'E_SANDBOX_TIMEOUT',
            `the kernel build (${built.failed!.step}) did not finish in ${Math.round((opts.buildTimeoutMs ?? 3 * 3600 * 1000) / 1000)} s; the sandbox killed it`,
            { arch, hint: 'give it longer with --build-timeout' },
          ),
        );
      } else {
        const err = firstBuildError(log, work.src);
        const texts = new Map(stages.resolved.order.flatMap((r) => r.feature.patches.map((p) => [p.display, p.text] as const)));
        const touching = err?.file && err.line ? hunksTouching(stages.applied?.results ?? [], texts, err.file, err.line) : [];
        findings.push(buildErrorFinding(err, touching, arch, consoleTail(log, 20), displayPath(kernelSource)));
      }
      return report({ variant: variant.name, arch, build: { ok: false, step: built.failed!.step, ...buildInfo }, seconds, ...keptAt });
    }
    // a requested value the kernel's own olddefconfig changed (the engine agreed it survives)
    const final = new Map<string, string>();
    for (const l of (built.finalConfig ?? '').split('\n')) {
      const m = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/.exec(l) ?? /^# CONFIG_([A-Za-z0-9_]+) is not set$/.exec(l);
      if (m) final.set(m[1]!, m[2] ?? 'n');
    }

    const features: TryFeatureResult[] = stages.resolved.order
      .filter((r) => r.arches.includes(arch))
      .map((r) => ({ name: r.feature.name, status: 'built', modules: [], tests: [] }));
    if (!opts.boot) {
      return report({ variant: variant.name, arch, build: { ok: true, ...buildInfo }, features, seconds, ...keptAt });
    }

    // the guest: each feature's modules (its =m requests, or its test's list) and test lines
    step('making the initramfs');
    const modSymbols = new Map<string, string[]>();
    for (const r of stages.resolved.order) {
      const syms = r.feature.requests
        .filter((q) => (!q.arch || q.arch === arch) && q.value.value === 'm' && (final.get(q.symbol) ?? values.get(q.symbol)) === 'm')
        .map((q) => q.symbol);
      modSymbols.set(r.feature.name, syms);
    }
    const symbolModules = await modulesOfSymbols(work.src, [...new Set([...modSymbols.values()].flat())]);
    const built_ = await builtModules(built.modulesDir!);
    const guest: GuestFeature[] = [];
    for (const r of stages.resolved.order) {
      if (!r.arches.includes(arch)) continue;
      const t = r.feature.test;
      const fromConfig = (modSymbols.get(r.feature.name) ?? []).flatMap((s) => symbolModules.get(s) ?? []).filter((m) => built_.has(m));
      guest.push({
        name: r.feature.name,
        modules: t?.modules ?? [...new Set(fromConfig)],
        tests: t ? t.run.map((x) => x.line) : [],
        timeout: t?.timeout ?? 60,
      });
    }
    const modulesEntries = await treeEntries(built.modulesDir!, `lib/modules/${built.kernelRelease}`);
    const image = initramfs({ busybox: busybox!, init: initScript(guest), entries: [...modulesEntries, ...testScriptEntries(guest)] });
    const initrd = path.join(workDir, 'initramfs.cpio.gz');
    await writeFile(initrd, image);

    step('booting in QEMU');
    const budget = guestBudgetSeconds(guest, opts.bootSeconds ?? 180);
    const boot = await bootKernel({
      qemu: onPath(archBuild.qemu)!,
      arch: arch === 'aarch64' ? 'aarch64' : 'x86_64',
      kernel: built.image!,
      initrd,
      timeoutMs: budget * 1000,
      ...(opts.accel ? { accel: opts.accel } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (opts.keep) await writeFile(path.join(workDir, 'console.log'), boot.console);
    const con = parseConsole(boot.console);
    const bootInfo = {
      accel: boot.accel,
      seconds: boot.seconds,
      ...(boot.kvmFallback ? { kvmFallback: boot.kvmFallback } : {}),
      initramfsBytes: image.length,
    };
    guest.forEach((g, i) => {
      const f = features.find((x) => x.name === g.name)!;
      const r = stages.resolved.order.find((x) => x.feature.name === g.name)!;
      f.modules = g.modules.map((m) => {
        const s = con.modules.find((x) => x.feature === i && x.module === m);
        return { name: m, loaded: s?.rc === 0 };
      });
      f.tests = g.tests.map((line, j) => {
        const s = con.tests.find((x) => x.feature === i && x.line === j);
        return { command: line, ...(s ? { rc: s.rc ?? null, output: s.output.join('\n').trimEnd() } : { rc: null, skipped: true }) };
      });
      if (!con.booted) {
        f.status = 'not-run';
        return;
      }
      const badModule = con.modules.find((x) => x.feature === i && x.rc !== 0);
      const badTest = con.tests.find((x) => x.feature === i && x.rc !== 0);
      if (badModule) {
        f.status = 'fail';
        findings.push(
          finding(
            'E_TRY_SMOKE',
            `feature ${g.name}: module ${badModule.module} did not load in the guest (modprobe ${badModule.rc === undefined ? 'did not finish' : `exit status ${badModule.rc}`})${badModule.output.length ? `:\n${badModule.output.join('\n')}` : ''}`,
            {
              where: r.feature.test?.where ?? r.feature.where,
              feature: g.name,
              arch,
              hint: "the module is built from the feature's =m config; its dependencies or a patch may keep it from loading (the console log is kept with --keep)",
            },
          ),
        );
      } else if (badTest) {
        f.status = 'fail';
        const t = r.feature.test!.run[badTest.line]!;
        findings.push(
          finding(
            'E_TRY_SMOKE',
            `feature ${g.name}: smoke test \`${t.line}\` ${badTest.rc === undefined ? 'did not finish (the guest stopped)' : badTest.rc === 137 ? `was killed after ${g.timeout} s` : `failed with exit status ${badTest.rc}`}${badTest.output.length ? `:\n${badTest.output.slice(-15).join('\n')}` : ''}`,
            {
              where: t.where,
              feature: g.name,
              arch,
              hint: 'the line ran in the booted smoke kernel under busybox sh; run kplay try --boot --keep to read the whole console',
            },
          ),
        );
      } else if (!con.done && (g.modules.length || g.tests.length)) {
        f.status = 'not-run';
      } else {
        f.status = g.modules.length || g.tests.length ? 'pass' : 'built';
      }
    });
    if (!con.booted || !con.done) {
      const why = boot.timedOut
        ? `did not finish in ${budget} s`
        : !con.booted
          ? 'did not reach the initramfs /init'
          : 'stopped before /init finished';
      findings.push(
        finding('E_TRY_BOOT', `the smoke kernel ${why} in QEMU (${boot.accel}); the console's last lines:\n${consoleTail(boot.console)}`, {
          arch,
          hint: boot.timedOut
            ? 'a loaded machine boots slower under TCG: give it longer with --boot-timeout'
            : 'a panic or a missing driver shows in the console; keep the files with --keep and boot them by hand',
        }),
      );
    }
    return report({
      variant: variant.name,
      arch,
      build: { ok: true, ...buildInfo },
      boot: { ...bootInfo, booted: con.booted, finished: con.done },
      features,
      seconds,
      ...keptAt,
    });
  } finally {
    await cleanup();
  }
}
