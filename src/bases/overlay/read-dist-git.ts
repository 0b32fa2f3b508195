import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError, type Finding } from '../../findings/finding.js';
import { PayloadRefused, unpackRpm } from '../../rpm/unpack-rpm.js';
import type { DistGitOrigin } from '../../model/variant.js';
import { readPackageFolder, type PackageLayout } from './read-package-folder.js';

/** The files of a distribution kernel package (a dist-git tree or an unpacked SRPM), in memory. */
export interface DistGitTree {
  /** Label for messages: the checkout folder, `<url> <ref>`, or the SRPM. */
  label: string;
  /** Top-level files by name (dist-git trees are flat). */
  files: Map<string, Buffer>;
  /** The spec's file name. */
  specFile: string;
  /** Commit the tree was read at, when it came from git. */
  commit?: string;
  /** `SPECS+SOURCES` for the git.centos.org layout (the spec is then SPECS/<specFile>). */
  layout?: PackageLayout;
  /** What was really read (the --dist-git folder or URL when given), for the manifest. */
  used?: { git: string; ref: string } | { path: string } | { srpm: string };
  /** git.centos.org's `.<package>.metadata` (`<sha1|sha256> SOURCES/<file>` lines), when the folder has one. */
  metadata?: Buffer;
}

/** The commit a local checkout is at (undefined when it is no git work tree). */
async function headOf(dir: string): Promise<string | undefined> {
  const r = await execa('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD'], { reject: false, env: { LC_ALL: 'C' } }).catch(
    () => undefined,
  );
  const top = await execa('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { reject: false, env: { LC_ALL: 'C' } }).catch(
    () => undefined,
  );
  // only the folder's own repository: a package folder inside another project's checkout has no commit of its own
  if (!r || r.exitCode !== 0 || !top || top.exitCode !== 0) return undefined;
  if (path.resolve(top.stdout.trim()) !== path.resolve(dir)) return undefined;
  return r.stdout.trim() || undefined;
}

// a flat dist-git or git.centos.org SPECS/ + SOURCES/, every file with its mode: read-package-folder.ts

function gitFailure(err: unknown): string {
  const e = err as { stderr?: string; shortMessage?: string; code?: string };
  if (e.code === 'ENOENT') return 'git is not installed';
  const last = String(e.stderr ?? '')
    .trim()
    .split('\n')
    .filter(Boolean)
    .pop();
  return last ?? e.shortMessage ?? String(err);
}

/** Clone `url` at `ref` (a branch, tag or commit) into a fresh folder. */
async function cloneAt(url: string, ref: string): Promise<{ dir: string; commit: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-dist-git-'));
  const env = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  try {
    // a branch or tag clones shallow; a commit needs the history
    const shallow = await execa('git', ['clone', '--quiet', '--depth', '1', '--branch', ref, '--', url, dir], { env, reject: false });
    if (shallow.exitCode !== 0) {
      await rm(dir, { recursive: true, force: true });
      await execa('git', ['clone', '--quiet', '--no-checkout', '--', url, dir], { env });
      await execa('git', ['-C', dir, 'checkout', '--quiet', ref, '--'], { env });
    }
    const commit = (await execa('git', ['-C', dir, 'rev-parse', 'HEAD'], { env })).stdout.trim();
    return { dir, commit };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function unpackSrpm(srpm: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kplay-srpm-'));
  try {
    await unpackRpm(srpm, dir);
    return dir;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function pickSpec(files: Map<string, Buffer>, pkg: string): string | undefined {
  if (files.has(`${pkg}.spec`)) return `${pkg}.spec`;
  const specs = [...files.keys()].filter((n) => n.endsWith('.spec'));
  return specs.length === 1 ? specs[0] : undefined;
}

/**
 * Read the distribution's kernel package: clone the dist-git (execa git), read a local checkout,
 * or unpack an SRPM. `override` (the --dist-git option) replaces the variant's origin: an existing
 * folder is a checkout, anything else a git URL cloned at the variant's ref.
 * Problems are E_OVERLAY_DIST_GIT findings (unusable input).
 */
export async function readDistGit(
  origin: DistGitOrigin,
  pkg: string,
  override?: string,
): Promise<{ tree?: DistGitTree; findings: Finding[] }> {
  let source = origin;
  if (override) {
    const abs = path.resolve(override);
    if (existsSync(abs) && (await stat(abs)).isDirectory()) source = { kind: 'path', path: abs, display: override, where: origin.where };
    else source = { kind: 'git', url: override, ref: origin.kind === 'git' ? origin.ref : 'HEAD', where: origin.where };
  }
  const fail = (message: string, hint?: string) => ({
    findings: [
      { code: 'E_OVERLAY_DIST_GIT' as const, severity: 'error' as const, message, where: origin.where, ...(hint ? { hint } : {}) },
    ],
  });
  let files: Map<string, Buffer>;
  let layout: PackageLayout;
  let label: string;
  let commit: string | undefined;
  let scratch: string | undefined;
  let used: DistGitTree['used'];
  let metadata: Buffer | undefined;
  const readMetadata = async (dir: string) => {
    metadata = await readFile(path.join(dir, `.${pkg}.metadata`)).catch(() => undefined);
  };
  try {
    if (source.kind === 'git') {
      label = `${source.url} ${source.ref}`;
      const cloned = await cloneAt(source.url, source.ref);
      scratch = cloned.dir;
      commit = cloned.commit;
      used = { git: source.url, ref: source.ref };
      ({ files, layout } = await readPackageFolder(cloned.dir));
      await readMetadata(cloned.dir);
    } else if (source.kind === 'path') {
      label = source.display;
      used = { path: source.path };
      ({ files, layout } = await readPackageFolder(source.path));
      commit = await headOf(source.path);
      await readMetadata(source.path);
    } else {
      used = { srpm: source.path };
      label = source.display;
      scratch = await unpackSrpm(source.path);
      ({ files, layout } = await readPackageFolder(scratch));
    }
  } catch (err) {
    const what =
      source.kind === 'git'
        ? `cannot clone ${source.url} at ${source.ref}`
        : source.kind === 'srpm'
          ? `cannot unpack ${source.display}`
          : `cannot read ${source.display}`;
    // the RPM unpacker's own refusals and failures already say what went wrong
    const why = err instanceof PayloadRefused || err instanceof UsageError ? err.message : gitFailure(err);
    return fail(
      `${what}: ${why}`,
      source.kind === 'git'
        ? 'check the URL and that the ref (branch, tag or commit) exists; pass --dist-git DIR to use a local checkout'
        : undefined,
    );
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  const specFile = pickSpec(files, pkg);
  if (!specFile) return fail(`${label} holds no ${pkg}.spec`, 'is this the dist-git of the kernel package?');
  return {
    tree: { label, files, specFile, layout, used, ...(commit ? { commit } : {}), ...(metadata ? { metadata } : {}) },
    findings: [],
  };
}
