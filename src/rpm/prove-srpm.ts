import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { at, UsageError, type Finding } from '../findings/finding.js';
import { displayPath } from '../model/safe-path.js';
import { runSandboxed } from '../sandbox/run-sandboxed.js';
import { decompressorFor } from '../sources/tarball-entries.js';
import { TarEntryParser } from '../sources/tar-entry-parser.js';
import { startStep } from '../progress/progress.js';

/**
 * Every SRPM proves itself before it leaves (issue 23): the folder its `%setup`/`%autosetup`
 * enters must be the top folder of the tarball it unpacks (read from the tar index, nothing
 * extracted), and its own `%prep` must run (`rpmbuild -bp --nodeps --target <arch>` in the
 * sandbox, once per arch of the variant).
 */

/** The first folder of a tarball's first regular file (`linux-6.12.118`), '' when files sit at the top. */
export async function tarballTopFolder(tarball: string): Promise<string> {
  const decompressor = decompressorFor(tarball);
  let first: string | undefined;
  const parser = new TarEntryParser(
    (name) => {
      first ??= name;
      return false;
    },
    () => undefined,
  );
  const child = decompressor
    ? spawn(decompressor[0]!, [...decompressor.slice(1), tarball], { stdio: ['ignore', 'pipe', 'pipe'] })
    : undefined;
  const input: Readable = child ? child.stdout : createReadStream(tarball, { highWaterMark: 1 << 16 });
  const stderr: Buffer[] = [];
  child?.stderr.on('data', (c: Buffer) => stderr.push(c));
  const exited = child ? new Promise<number | null>((res) => child.on('close', (code) => res(code))) : Promise.resolve(0);
  try {
    await new Promise<void>((resolve, reject) => {
      input.on('data', (chunk: Buffer) => {
        try {
          parser.push(chunk);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        // the index is read only until the first file: the rest is never decompressed
        if (first !== undefined) resolve();
      });
      input.on('end', () => resolve());
      input.on('error', reject);
      child?.on('error', reject);
    });
  } finally {
    child?.kill('SIGKILL');
    if (!child) (input as ReturnType<typeof createReadStream>).destroy();
  }
  if (first === undefined) {
    const code = await exited;
    const why = Buffer.concat(stderr).toString('utf8').trim().split('\n')[0];
    throw new Error(code !== 0 && why ? why : 'no file in the tarball');
  }
  const clean = first.replace(/^\.\//, '');
  const slash = clean.indexOf('/');
  return slash < 0 ? '' : clean.slice(0, slash);
}

/** One unpack of the parsed %prep: the tarball rpm uncompresses and the folder it then enters. */
export interface SetupUnpack {
  tarball: string;
  folder: string;
  /** `%setup -c`: the folder is created first and the tarball unpacked inside it (no top-folder rule). */
  createsFolder: boolean;
}

/**
 * The unpacks of `%setup`/`%autosetup` in `rpmspec -P` output (rpm expands them to shell):
 * `cd 'BUILD'`, `rm -rf 'X'`, [`/usr/bin/mkdir -p X`, `cd 'X'`,] `rpmuncompress -x FILE`, `cd 'X'`.
 */
export function setupUnpacks(parsed: string): SetupUnpack[] {
  const lines = parsed.split('\n');
  const start = lines.findIndex((l) => /^%prep\b/.test(l));
  const out: SetupUnpack[] = [];
  let created: string | undefined;
  for (let i = start < 0 ? 0 : start + 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (/^%(build|conf|install|check|files|clean)\b/.test(l)) break;
    const mk = /^(?:\/usr\/bin\/)?mkdir -p '?([^' ]+)'?$/.exec(l);
    if (mk) created = mk[1];
    const m = /(?:rpmuncompress -x|-dc?) '?(\/[^' ]+\.(?:tar(?:\.\w+)?|tgz|txz))'?/.exec(l);
    if (!m) continue;
    // the folder the unpack leads to: the next `cd` (for -a/-b, a cd may come before: kept simple)
    for (let j = i + 1; j < Math.min(lines.length, i + 12); j++) {
      const cd = /^cd '([^']+)'$/.exec(lines[j]!.trim());
      if (cd) {
        const folder = cd[1]!;
        out.push({ tarball: m[1]!, folder, createsFolder: created === folder });
        break;
      }
    }
    // only the main unpack of the first %setup decides the folder the rest of %prep runs in
    break;
  }
  return out;
}

/** The 1-based line of the first `%setup`/`%autosetup` of a spec text, 0 when none. */
export function setupLine(specText: string): number {
  const i = specText.split('\n').findIndex((l) => /^%(?:auto)?setup\b/.test(l));
  return i + 1;
}

/** `rpmspec -P` of a spec, in the sandbox (a spec's `%(…)` macros are shell commands). */
export async function parseSpecSandboxed(
  specFile: string,
  sourceDir: string,
  target?: string,
): Promise<{ ok: boolean; text: string; error: string }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-rpmspec-'));
  try {
    const r = await runSandboxed({
      argv: [
        'rpmspec',
        '-P',
        ...(target ? ['--target', target] : []),
        '--define',
        `_sourcedir ${sourceDir}`,
        '--define',
        `_topdir ${work}`,
        '--define',
        `_builddir ${work}`,
        specFile,
      ],
      cwd: work,
      writable: [work],
      readOnly: [path.dirname(specFile), sourceDir],
      timeoutMs: 120_000,
      env: { LC_ALL: 'C' },
    });
    return { ok: r.exitCode === 0, text: r.stdout, error: r.stderr.trim() };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * E_SRPM_SETUP_DIR when the tarball `%setup -n` unpacks does not have the folder `-n` names as its
 * top folder (kplay srpm/submit run this before building or uploading anything).
 */
export async function checkSetupFolder(specFile: string, sourceDir: string): Promise<Finding[]> {
  const specText = await readFile(specFile, 'utf8');
  const parsed = await parseSpecSandboxed(specFile, sourceDir);
  if (!parsed.ok) return []; // a spec rpm cannot parse fails in rpmbuild -bs with its own finding
  const findings: Finding[] = [];
  for (const u of setupUnpacks(parsed.text)) {
    if (u.createsFolder || !existsSync(u.tarball)) continue;
    let top: string;
    try {
      top = await tarballTopFolder(u.tarball);
    } catch (err) {
      findings.push({
        code: 'E_SRPM_SETUP_DIR',
        severity: 'error',
        message: `${path.basename(u.tarball)} cannot be read as a tarball: ${(err as Error).message.split('\n')[0]}`,
        where: at(displayPath(specFile), setupLine(specText)),
      });
      continue;
    }
    if (top === u.folder) continue;
    findings.push({
      code: 'E_SRPM_SETUP_DIR',
      severity: 'error',
      message: `%prep unpacks ${path.basename(u.tarball)} and enters ${u.folder}/, but the tarball's top folder is ${top ? `${top}/` : 'none (its files are at the top)'}: rpmbuild -bp would fail with "cd: ${u.folder}: No such file or directory"`,
      where: at(displayPath(specFile), setupLine(specText)),
      hint: top
        ? `use the tarball the variant's source names (its top folder must be ${u.folder}/), or repack it: tar -C <dir> -cJf ${path.basename(u.tarball)} ${u.folder}`
        : `repack the tarball with a top folder ${u.folder}/`,
    });
  }
  return findings;
}

export interface PrepCheckInput {
  specFile: string;
  sourceDir: string;
  /** RPM target arches (`x86_64`, `aarch64`): one %prep each. */
  arches: readonly string[];
  /** Files kplay generated into `sourceDir` (the spec, configs, scripts, patches): named when %prep fails on one. */
  generated: readonly string[];
  /** Bind bash over /bin/sh (a distribution's %prep, written for Fedora's sh). */
  shAsBash?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * rpm macros the distribution's build system defines (`rhel 10`, `fedora 43`): a Debian host's
   * rpm defines none, so a spec's `%if 0%{?rhel}` branches would not run (distributionMacros).
   */
  defines?: readonly string[];
  /** Called after a passing %prep with the arch and its BUILD folder, before the folder is removed. */
  inspect?: (arch: string, buildDir: string) => Promise<void>;
}

/**
 * Macros a Fedora/CentOS build root has (python-rpm-macros) that a distribution's %prep uses and a
 * Debian host's rpm lacks. `%py3_shebang_fix` rewrites Python shebangs in the listed files: it
 * changes no config and no patch, so where the host's rpm does not define it, the %prep proof
 * defines it as a no-op (`:`) instead of failing on "command not found".
 */
export async function missingBuildRootMacros(specText: string): Promise<string[]> {
  const out: string[] = [];
  if (!/%\{?py3_shebang_fix\b/.test(specText)) return out;
  const { execa } = await import('execa');
  const r = await execa('rpm', ['--eval', '%{?py3_shebang_fix:defined}'], { reject: false });
  if (r.stdout.trim() !== 'defined') out.push('py3_shebang_fix :');
  return out;
}

export interface PrepCheckResult {
  findings: Finding[];
  /** Wall seconds per arch. */
  seconds: Record<string, number>;
  summary: string;
}

/** The failing command and its last output lines from an `rpmbuild -bp` log (`set -x` lines start with `+ `). */
export function failingPrepLine(log: string): { command?: string; output: string[] } {
  const lines = log.split('\n').map((l) => l.trimEnd());
  let end = lines.findIndex((l) => /^error: Bad exit status from .*\(%prep\)/.test(l));
  if (end < 0) end = lines.length;
  let cmdAt = -1;
  for (let i = end - 1; i >= 0; i--) {
    if (/^\++ /.test(lines[i]!)) {
      cmdAt = i;
      break;
    }
  }
  const command = cmdAt >= 0 ? lines[cmdAt]!.replace(/^\++ /, '') : undefined;
  const output = lines
    .slice(cmdAt + 1, end)
    .filter((l) => l && !/^\++ /.test(l) && !/^RPM build errors:/.test(l))
    .slice(-4);
  if (!output.length && end < lines.length) output.push(lines[end]!);
  if (!output.length) output.push(...lines.filter((l) => /^error:/.test(l)).slice(0, 2));
  return { ...(command !== undefined ? { command } : {}), output };
}

/** The spec line a failing command most likely comes from: its first words, found literally. */
function specLineOf(specText: string, command: string | undefined): number {
  const lines = specText.split('\n');
  const prep = lines.findIndex((l) => /^%prep\b/.test(l));
  if (!command) return prep + 1;
  // set -x shows the command expanded and unquoted: a spec line matches when its variables and
  // macros stand for anything
  const unquote = (t: string): string => t.replace(/["']/g, '').replace(/\s+/g, ' ').trim();
  const cmd = unquote(command);
  for (let i = prep + 1; i < lines.length && !/^%(build|install|files)\b/.test(lines[i]!); i++) {
    const line = unquote(lines[i]!.replace(/#.*$/, ''));
    if (!line || line.startsWith('%')) continue;
    const pattern = line
      .split(/(\$\{?\w+\}?|%\{[^}]+\}|%\w+)/)
      .map((part, k) => (k % 2 ? '.*?' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    if (new RegExp(`^${pattern}$`).test(cmd)) return i + 1;
  }
  return prep + 1;
}

/**
 * Run the spec's own %prep with `rpmbuild -bp --nodeps --target <arch>` in the sandbox (the
 * sources read-only, a scratch _topdir the only writable folder), once per arch. A failure is
 * E_PREP_FAILED with the failing line of the %prep log, the kplay-generated file it involves
 * and a hint.
 */
export async function runPrepCheck(input: PrepCheckInput): Promise<PrepCheckResult> {
  const specText = await readFile(input.specFile, 'utf8');
  const buildRoot = input.shAsBash ? await missingBuildRootMacros(specText) : [];
  const findings: Finding[] = [];
  const seconds: Record<string, number> = {};
  for (const arch of input.arches) {
    const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-prep-'));
    const started = Date.now();
    try {
      const step = startStep(`%prep of the SRPM for ${arch} (rpmbuild -bp, sandboxed)`);
      const r = await runSandboxed({
        argv: [
          'rpmbuild',
          '-bp',
          '--nodeps',
          '--target',
          arch,
          '--define',
          `_topdir ${work}`,
          '--define',
          `_sourcedir ${input.sourceDir}`,
          '--define',
          `_builddir ${work}/BUILD`,
          '--define',
          `_tmppath ${work}/tmp`,
          '--define',
          '_smp_mflags -j2',
          ...[...buildRoot, ...(input.defines ?? [])].flatMap((d) => ['--define', d]),
          input.specFile,
        ],
        cwd: work,
        writable: [work],
        readOnly: [input.sourceDir, path.dirname(input.specFile)],
        timeoutMs: input.timeoutMs ?? 30 * 60_000,
        env: { LC_ALL: 'C', TMPDIR: `${work}/tmp` },
        ...(input.shAsBash ? { shAsBash: true } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        limits: { outputBytes: 1 << 20 },
      }).catch((err: unknown) => {
        step.fail();
        throw err;
      });
      seconds[arch] = (Date.now() - started) / 1000;
      if (r.exitCode === 0) step.done(`%prep of the SRPM for ${arch} passed`);
      else step.fail(`%prep of the SRPM for ${arch} failed`);
      if (r.exitCode === 0) {
        await input.inspect?.(arch, path.join(work, 'BUILD'));
        continue;
      }
      const log = `${r.stdout}\n${r.stderr}`;
      const { command, output } = r.timedOut
        ? { command: undefined, output: ['timed out: every process of %prep was killed'] }
        : failingPrepLine(log);
      const involved = input.generated.find((g) => (command ?? '').includes(g) || output.some((o) => o.includes(g)));
      const patch = /^Patch #\d+ \(([^)]+)\)/m.exec(log)?.[1];
      const culprit = involved ?? patch;
      findings.push({
        code: 'E_PREP_FAILED',
        severity: 'error',
        message: `the SRPM's %prep fails for ${arch}${command ? ` at \`${command.slice(0, 200)}\`` : ''}: ${output.join(' / ').slice(0, 600)}${culprit ? ` (kplay wrote ${culprit})` : ''}`,
        where: at(displayPath(input.specFile), specLineOf(specText, command)),
        arch,
        hint: culprit?.endsWith('.patch')
          ? `the patch ${culprit} does not apply to the tarball the SRPM carries: refresh it against that kernel (kplay patches check --source <tarball>)`
          : culprit?.includes('config')
            ? `a requested config value does not survive the kernel's own olddefconfig: check the variant's config requests against this kernel (kplay compose --kernel-source <tarball>)`
            : `run the same %prep yourself: rpmbuild -bp --nodeps --target ${arch} --define "_sourcedir ${displayPath(input.sourceDir)}" ${displayPath(input.specFile)}`,
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  return {
    findings,
    seconds,
    summary: findings.length
      ? `%prep failed (${findings.map((f) => f.arch).join(', ')})`
      : `%prep ran for ${input.arches.join(', ')} in ${total.toFixed(1)} s (rpmbuild -bp --nodeps, sandboxed)`,
  };
}

/** Files of a folder (its plain names): what kplay generated next to the spec. */
export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => statSync(path.join(dir, n)).isFile());
  } catch {
    return [];
  }
}

/** The RPM arch of this machine (the arch an SRPM without a variant is prepared for). */
export function hostRpmArch(): string {
  return (
    ({ x64: 'x86_64', arm64: 'aarch64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[os.arch()] ??
    os.arch()
  );
}

/**
 * `kplay submit --srpm FILE`: the given SRPM proves itself too. It is unpacked (rpm2cpio | cpio,
 * in the sandbox) into a scratch folder; then the %setup folder check and, unless `prepCheck` is
 * false, its %prep for `arches` (default: this machine's arch). Throws a UsageError with the
 * findings when either fails; returns the warnings otherwise.
 */
export async function proveSrpmFile(srpm: string, opts: { prepCheck: boolean; arches?: readonly string[] }): Promise<Finding[]> {
  if (!existsSync(srpm)) return []; // the backend reports a missing SRPM with its own finding
  // not an RPM at all (no lead magic): nothing could build it; the build service's CLI refuses it
  const lead = Buffer.alloc(4);
  const fd = openSync(srpm, 'r');
  try {
    readSync(fd, lead, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (!lead.equals(Buffer.from([0xed, 0xab, 0xee, 0xdb]))) return [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-srpm-proof-'));
  try {
    const unpack = await runSandboxed({
      argv: ['sh', '-c', 'rpm2cpio "$1" | cpio -idm --quiet --no-absolute-filenames', 'unpack', srpm],
      cwd: work,
      writable: [work],
      readOnly: [srpm],
      timeoutMs: 10 * 60_000,
    });
    const spec = filesIn(work).find((n) => n.endsWith('.spec'));
    if (unpack.exitCode !== 0 || !spec) {
      const f: Finding = {
        code: 'E_PREP_FAILED',
        severity: 'error',
        message: `${displayPath(srpm)} cannot be unpacked, or holds no spec: ${(unpack.stderr.trim().split('\n')[0] ?? '') || 'no .spec file'}`,
        where: at(displayPath(srpm)),
      };
      throw new UsageError(f.message, [f], 2);
    }
    const specFile = path.join(work, spec);
    const setup = await checkSetupFolder(specFile, work);
    for (const f of setup) f.where = at(`${displayPath(srpm)}:${spec}`, f.where?.line ?? 0);
    if (setup.length) throw new UsageError(`${displayPath(srpm)}: its %setup does not match its tarball`, setup, 2);
    if (!opts.prepCheck) {
      return [
        {
          code: 'W_PREP_CHECK_SKIPPED',
          severity: 'warning',
          message: `--no-prep-check: the %prep of ${displayPath(srpm)} was not run, so a %prep that fails in the build service is not caught here`,
          where: at(displayPath(srpm)),
        },
      ];
    }
    const generated = filesIn(work).filter((n) => !/\.(?:tar(?:\.\w+)?|tgz|txz)$/.test(n));
    const prep = await runPrepCheck({ specFile, sourceDir: work, arches: opts.arches?.length ? opts.arches : [hostRpmArch()], generated });
    for (const f of prep.findings) f.where = at(`${displayPath(srpm)}:${spec}`, f.where?.line ?? 0);
    if (prep.findings.length) throw new UsageError(`${displayPath(srpm)}: its %prep fails`, prep.findings, 2);
    return [];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
