import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkKabi } from '../../kabi/check-kabi.js';
import { parseKabiStablelist } from '../../kabi/kabi-stablelist.js';
import { parseModuleSymvers, type ExportedSymbol } from '../../kabi/module-symvers.js';
import { readModuleVersions } from '../../kabi/module-versions.js';
import type { Finding, SourceLocation } from '../../findings/finding.js';
import { displayPath } from '../../model/safe-path.js';
import { runSandboxed } from '../../sandbox/run-sandboxed.js';
import { withoutOutsideContent } from '../../sandbox/outside-content.js';
import type { KernelDevelTree } from './kernel-devel-tree.js';
import { withStep } from '../../progress/progress.js';

export interface CompileKmodInput {
  devel: KernelDevelTree;
  /** Files of the module folders (tree-relative paths), as read from the base source. */
  files: ReadonlyMap<string, Buffer>;
  /** Folders to build, with the feature and variant line each belongs to. */
  dirs: ReadonlyArray<{ dir: string; feature: string; where: SourceLocation }>;
  /** The feature patches in series order (applied with patch -p1 to the folders' copy). */
  patches: ReadonlyArray<{ file: string; text: Buffer | string; feature: string }>;
  /** `CONFIG_X=m` words for make (the kernel-devel arch's module options). */
  options: readonly string[];
  /** Other kernels' Module.symvers the built modules must also load into (e.g. the next Stream kernel). */
  otherSymvers?: readonly string[];
  stablelist?: string;
  timeoutMs?: number;
}

export interface CompileKmodResult {
  findings: Finding[];
  /** Modules built (tree-relative .ko paths). */
  modules: string[];
  check: string;
}

async function findKo(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await findKo(dir, child)));
    else if (e.name.endsWith('.ko')) out.push(child);
  }
  return out.sort();
}

/** The first compiler/linker/modpost error lines of a failed make, for the finding. */
export function firstBuildErrors(output: string, max = 4): string[] {
  const lines = output.split('\n').filter((l) => /error|undefined!|ERROR/.test(l));
  return (lines.length ? lines : output.split('\n').filter(Boolean).slice(-max)).slice(0, max).map((l) => l.trim());
}

/**
 * The compile test and kABI check of a kmod, before any package is built: the module folders
 * (with the feature patches applied) are built with `make -C <kernel-devel> M=<folder>` and the
 * module options, then every built module's `__versions` is compared with the kernel-devel's
 * Module.symvers, with each `otherSymvers` file and, when given, with the kABI stablelist.
 */
export async function compileKmod(input: CompileKmodInput): Promise<CompileKmodResult> {
  const findings: Finding[] = [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-kmod-build-'));
  try {
    for (const [rel, content] of input.files) {
      const target = path.join(work, 'tree', ...rel.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const tree = path.join(work, 'tree');
    await mkdir(tree, { recursive: true });
    for (const p of input.patches) {
      const file = path.join(work, 'kplay.patch');
      await writeFile(file, p.text);
      // patch runs in the sandbox too: a hostile file name cannot write outside the tree
      const r = await runSandboxed({
        argv: ['patch', '-p1', '-s', '--forward', '--no-backup-if-mismatch', '-r', '-', '-i', file],
        cwd: tree,
        writable: [tree],
        readOnly: [file],
        timeoutMs: 60_000,
        env: { LC_ALL: 'C' },
      });
      if (r.exitCode !== 0) {
        findings.push({
          code: 'E_KMOD_BUILD',
          severity: 'error',
          message: `${p.file} does not apply to the module folders: ${firstBuildErrors(r.stdout + r.stderr).join(' / ')}`,
          feature: p.feature,
          hint: 'a kmod patch may only touch files inside its kmod.modules folders',
        });
        return { findings, modules: [], check: `patch ${p.file} failed` };
      }
    }
    const modules: string[] = [];
    const timeoutMs = input.timeoutMs ?? 15 * 60_000;
    for (const d of input.dirs) {
      // the module's Makefile/Kbuild is a contributor's code: make runs in the sandbox, with the
      // module tree the only writable folder and the kernel-devel read-only
      const moduleDir = path.join(tree, d.dir);
      const r = await withStep(
        `compile test: make M=${d.dir} against ${displayPath(input.devel.dir)} (sandboxed)`,
        () =>
          runSandboxed({
            argv: ['make', '-C', input.devel.dir, `M=${moduleDir}`, ...input.options, 'modules'],
            cwd: tree,
            writable: [tree],
            readOnly: [input.devel.dir],
            timeoutMs,
            env: { LC_ALL: 'C' },
          }),
        (x) => `compile test: make M=${d.dir} ${x.exitCode === 0 ? 'built' : 'failed'}`,
      );
      if (r.exitCode !== 0) {
        const why = r.timedOut
          ? [`make ran out of its ${Math.round(timeoutMs / 1000)} s and was killed with every process it started`]
          : withoutOutsideContent(firstBuildErrors(`${r.stdout}\n${r.stderr}`), [tree, input.devel.dir], moduleDir);
        findings.push({
          code: 'E_KMOD_BUILD',
          severity: 'error',
          message: `${d.dir} does not build against ${displayPath(input.devel.label)}: ${why.join(' / ')}`,
          where: d.where,
          feature: d.feature,
          hint: 'the kernel-devel changed an interface the module uses: patch the module for this kernel',
        });
        continue;
      }
      const built = (await findKo(moduleDir)).map((k) => ({ ko: path.join(moduleDir, k), rel: `${d.dir}/${k}`, d }));
      if (!built.length)
        findings.push({
          code: 'W_KMOD_NOTHING_BUILT',
          severity: 'warning',
          message: `make M=${d.dir} ${input.options.join(' ')} built no module`,
          where: d.where,
          feature: d.feature,
          hint: "ask for the module option (=m) the folder's Makefile uses",
        });
      const targets: Array<{ label: string; exports: Map<string, ExportedSymbol> }> = [
        {
          label: `${displayPath(input.devel.label)} (Module.symvers)`,
          exports: parseModuleSymvers(await readFile(input.devel.symvers, 'utf8')),
        },
      ];
      for (const other of input.otherSymvers ?? [])
        targets.push({ label: displayPath(other), exports: parseModuleSymvers(await readFile(other, 'utf8')) });
      const stablelist = input.stablelist ? parseKabiStablelist(await readFile(input.stablelist, 'utf8')) : undefined;
      for (const b of built) {
        modules.push(b.rel);
        const needs = await readModuleVersions(b.ko);
        for (const t of targets) {
          findings.push(
            ...checkKabi({
              module: path.basename(b.ko),
              needs,
              exports: t.exports,
              exportsLabel: t.label,
              where: d.where,
              feature: d.feature,
              ...(stablelist ? { stablelist, stablelistLabel: displayPath(input.stablelist!) } : {}),
            }),
          );
        }
      }
    }
    const check = `built ${modules.length} module(s) against ${displayPath(input.devel.label)}${modules.length ? ` (${modules.map((m) => path.basename(m)).join(', ')})` : ''}; kABI compared with its Module.symvers${input.otherSymvers?.length ? ` and ${input.otherSymvers.length} other` : ''}${input.stablelist ? ' and the stablelist' : ''}`;
    return { findings, modules, check };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
