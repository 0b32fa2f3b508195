import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withoutOutsideContent } from '../sandbox/outside-content.js';
import { MINIMAL_PATH, runSandboxed, SandboxUnavailableError } from '../sandbox/run-sandboxed.js';
import type { KconfigTree } from './kconfig-tree.js';

const run = promisify(execFile);

/**
 * The kernel's own `conf` (scripts/kconfig of the tree), built with the host's gcc, flex and bison
 * in a scratch folder and cached by the digest of its sources: the reference `kplay kconfig
 * resolve --verify` and the differential tests compare with. The tree may be patched by a
 * contributor (its conf sources, its Kconfig `$(shell …)` lines), so both the build and every run
 * go through the sandbox (src/sandbox/run-sandboxed.ts).
 */
export class ReferenceConfError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ReferenceConfError';
  }
}

/** Wall clocks of the sandboxed steps: building conf (flex, bison, gcc; each) and one conf run. */
const BUILD_TIMEOUT_MS = 5 * 60_000;
const RUN_TIMEOUT_MS = 5 * 60_000;

const SOURCES = ['conf.c', 'confdata.c', 'expr.c', 'menu.c', 'preprocess.c', 'symbol.c', 'util.c'];

/** Digest of the tree's Kconfig tool sources (scripts/kconfig/*.{c,h,l,y}, scripts/include/*.h). */
export function referenceConfDigest(treeRoot: string): string {
  const h = createHash('sha256');
  for (const dir of ['scripts/kconfig', 'scripts/include']) {
    const abs = path.join(treeRoot, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).sort()) {
      if (!/\.(c|h|l|y)$/.test(name)) continue;
      h.update(`${dir}/${name}\0`);
      h.update(readFileSync(path.join(abs, name)));
      h.update('\0');
    }
  }
  return h.digest('hex').slice(0, 32);
}

async function needTool(tool: string, pkg: string): Promise<void> {
  try {
    await run(tool, ['--version']);
  } catch {
    throw new ReferenceConfError(`${tool} is needed to build the kernel's conf tool`, `install it (Debian/Fedora package: ${pkg})`);
  }
}

/** Path of a built `conf` for the tree (built once per source digest into `<cacheDir>/kconfig-conf/`). */
export async function buildReferenceConf(treeRoot: string, cacheDir: string): Promise<string> {
  if (!existsSync(path.join(treeRoot, 'scripts/kconfig/conf.c'))) {
    throw new ReferenceConfError(`${treeRoot}: no scripts/kconfig/conf.c, cannot build the kernel's conf tool`);
  }
  const digest = referenceConfDigest(treeRoot);
  const dir = path.join(cacheDir, 'kconfig-conf', digest);
  const bin = path.join(dir, 'conf');
  if (existsSync(bin)) return bin;
  await needTool('gcc', 'gcc');
  await needTool('flex', 'flex');
  await needTool('bison', 'bison');
  await mkdir(path.dirname(dir), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(dir), `build-${digest}-`));
  try {
    for (const sub of ['kconfig', 'include']) {
      const from = path.join(treeRoot, 'scripts', sub);
      if (!existsSync(from)) continue;
      await mkdir(path.join(work, sub), { recursive: true });
      for (const name of readdirSync(from)) {
        if (/\.(c|h|l|y)$/.test(name)) await copyFile(path.join(from, name), path.join(work, sub, name));
      }
    }
    const k = path.join(work, 'kconfig');
    // the sources may come from a patched tree: flex, bison and gcc see only the copy, in the sandbox
    // (an `#include "/outside"` finds $HOME empty and the credentials hidden)
    const steps: string[][] = [
      ['flex', '-o', 'lexer.lex.c', '-L', 'lexer.l'],
      ['bison', '-o', 'parser.tab.c', '--defines=parser.tab.h', '-t', '-l', 'parser.y'],
      ['gcc', '-O1', '-w', '-I', k, '-I', path.join(work, 'include'), '-o', 'conf', ...SOURCES, 'lexer.lex.c', 'parser.tab.c'],
    ];
    for (const argv of steps) {
      const r = await runSandboxed({ argv, cwd: k, writable: [work], timeoutMs: BUILD_TIMEOUT_MS });
      if (r.exitCode !== 0) {
        // gcc's error lines only, and none that quotes a file outside the copy (a patched conf.c
        // that #includes a readable file outside would otherwise show its first words)
        const errors = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => /^\S+:\d+(?::\d+)?: (?:fatal )?error:/.test(l));
        const shown = withoutOutsideContent(errors.length ? errors : r.stderr.split('\n').slice(0, 5), [work], k)
          .slice(0, 5)
          .join('\n');
        const why = r.timedOut ? `did not finish in ${BUILD_TIMEOUT_MS / 1000} s` : shown.trim() || `exit status ${r.exitCode ?? r.signal}`;
        throw new ReferenceConfError(`building the kernel's conf tool failed (${argv[0]}): ${why}`);
      }
    }
    await mkdir(dir, { recursive: true });
    await rename(path.join(k, 'conf'), `${bin}.${process.pid}`);
    await rename(`${bin}.${process.pid}`, bin);
  } catch (err) {
    if (err instanceof ReferenceConfError || err instanceof SandboxUnavailableError) throw err;
    const e = err as { stderr?: string; message: string };
    throw new ReferenceConfError(`building the kernel's conf tool failed: ${(e.stderr || e.message).split('\n').slice(0, 5).join('\n')}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return bin;
}

export interface ReferenceRun {
  /** `olddefconfig` (the input is the .config) or `randconfig` (input ignored unless given as KCONFIG_ALLCONFIG). */
  mode: 'olddefconfig' | 'randconfig';
  input?: string;
  /** KCONFIG_SEED for randconfig. */
  seed?: number;
}

/**
 * Environment `make` gives conf for this tree: the same variables kplay's macros saw, and
 * `srctree` pointing at the tree (whose files are made real files first: see KconfigTree.ensureOnDisk).
 */
export function referenceEnv(tree: KconfigTree): Record<string, string> {
  tree.ensureOnDisk();
  // the caller's KCONFIG_* settings (KCONFIG_ALLCONFIG, KCONFIG_WERROR, ...) would change conf's answer
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('KCONFIG_')),
  );
  return { ...inherited, ...tree.env, srctree: tree.root };
}

/**
 * The toolchain kplay's own Kconfig macros see (`$(shell,rustc --version)`, `$(CC)`): the caller's
 * PATH, with its folders under $HOME (rustup's ~/.cargo/bin) bound read-only into the sandbox and
 * rustup's toolchains beside them, so conf answers RUSTC_VERSION as kplay does instead of 0.
 * Only tool folders are bound; the credential paths under $HOME stay hidden.
 */
function toolchainView(): { env: Record<string, string>; readOnly: string[] } {
  const home = os.homedir();
  // a PATH entry that is $HOME itself is not bound (only tool folders below it)
  const under = (p: string) => p.startsWith(`${home}/`);
  const pathDirs = (process.env.PATH ?? '').split(':').filter((d) => path.isAbsolute(d) && existsSync(d));
  const readOnly = [...new Set(pathDirs.filter(under))];
  const env: Record<string, string> = { PATH: [...new Set(pathDirs)].join(':') || MINIMAL_PATH };
  // rustup's proxies need its toolchains (not ~/.cargo as a whole: it may hold a crates.io token)
  const rustup = process.env.RUSTUP_HOME ?? path.join(home, '.rustup');
  if (readOnly.length && existsSync(rustup)) {
    env.RUSTUP_HOME = rustup;
    if (under(rustup)) readOnly.push(rustup);
  }
  return { env, readOnly: [...new Set(readOnly)] };
}

/** Run the reference conf on the tree and return the written .config text. */
export async function runReferenceConf(conf: string, tree: KconfigTree, r: ReferenceRun): Promise<string> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'kplay-conf-'));
  try {
    const config = path.join(work, '.config');
    if (r.input !== undefined) await writeFile(config, r.input, 'latin1');
    // conf is built from the tree's sources and runs the tree's Kconfig $(shell …): in the sandbox,
    // with the tree, the conf binary and the scratch folder the only things it needs (writable: the scratch)
    tree.ensureOnDisk();
    const tools = toolchainView();
    const env: Record<string, string> = { ...tools.env, ...tree.env, srctree: tree.root, KCONFIG_CONFIG: config };
    if (r.seed !== undefined) env.KCONFIG_SEED = String(r.seed);
    const ran = await runSandboxed({
      argv: [conf, '-s', `--${r.mode}`, 'Kconfig'],
      cwd: work,
      writable: [work],
      readOnly: [tree.root, path.dirname(conf), ...tools.readOnly],
      env,
      timeoutMs: RUN_TIMEOUT_MS,
    });
    if (ran.exitCode !== 0) {
      const why = ran.timedOut
        ? `did not finish in ${RUN_TIMEOUT_MS / 1000} s`
        : ran.stderr || ran.stdout || `exit status ${ran.exitCode ?? ran.signal}`;
      throw new ReferenceConfError(`the kernel's conf --${r.mode} failed: ${why.trim().split('\n').slice(0, 8).join('\n')}`);
    }
    return await readFile(config, 'latin1');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Lines of two .config texts after the heading that differ: `[symbol, reference line, kplay line]`. */
export function configDifferences(reference: string, ours: string, limit = 5): Array<{ symbol: string; reference: string; kplay: string }> {
  const parse = (text: string): Map<string, string> => {
    const m = new Map<string, string>();
    for (const line of text.split('\n')) {
      const x = /^(?:# )?CONFIG_([A-Za-z0-9_]+)[= ]/.exec(line);
      if (x) m.set(x[1]!, line);
    }
    return m;
  };
  const a = parse(reference);
  const b = parse(ours);
  const out: Array<{ symbol: string; reference: string; kplay: string }> = [];
  for (const [name, line] of a) {
    if (b.get(name) !== line) out.push({ symbol: name, reference: line, kplay: b.get(name) ?? '(absent)' });
    if (out.length >= limit) return out;
  }
  for (const [name, line] of b) {
    if (!a.has(name)) out.push({ symbol: name, reference: '(absent)', kplay: line });
    if (out.length >= limit) return out;
  }
  if (!out.length) {
    const la = reference.split('\n').slice(4);
    const lb = ours.split('\n').slice(4);
    for (let i = 0; i < Math.max(la.length, lb.length); i++) {
      if (la[i] !== lb[i]) {
        out.push({ symbol: `line ${i + 5}`, reference: la[i] ?? '(end)', kplay: lb[i] ?? '(end)' });
        break;
      }
    }
  }
  return out;
}
