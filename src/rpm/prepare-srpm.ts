import { copyFile, link, readdir, readFile, realpath, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { composeVariant, type ComposeResult } from '../compose/compose-variant.js';
import { STATE_DIR } from '../compose/write-output.js';
import { recordOutputFiles } from '../compose/output-marker.js';
import { SpecBoundary, checkSourceFileName } from '../spec/boundary/index.js';
import { UsageError, type Finding } from '../findings/finding.js';
import type { Targets } from '../model/types.js';
import { loadVariant } from '../load/load-variant.js';
import type { OverlayBase, Variant } from '../model/variant.js';
import { DISTRIBUTIONS } from '../bases/overlay/distribution-defaults.js';
import { gatherLookasideSources } from '../bases/overlay/gather-lookaside-sources.js';
import { parseSourcesFile } from '../bases/overlay/sources-file.js';
import { fetchSource } from '../sources/fetch-source.js';
import { buildSrpm } from './build-srpm.js';
import { tarballUrl } from '../releases/kernel-org-urls.js';
import { KernelOrg } from '../releases/resolve-base.js';
import { isFile } from '../fs/path-kind.js';

export interface PreparedSrpm {
  srpmPath: string;
  variantName: string;
  targets?: Targets;
  /** Where submit state (build and task ids) is kept: survives the next compose. */
  outDir: string;
  compose: ComposeResult;
}

export interface PrepareSrpmOptions {
  out?: string;
  /** Folder holding source tarballs already downloaded (checked against their digests). */
  sourcesDir?: string;
  kernelSource?: string;
  distGit?: string;
  /**
   * Skip the Kconfig and patch checks that otherwise run against the kernel source the SRPM
   * carries (the base tarball). Said loudly: W_SRPM_UNCHECKED.
   */
  noCheck?: boolean;
}


/**
 * Put a cached or local file into the output folder without copying 140 MB when a link will do.
 * `to` is always a plain name inside `outDir` (checked by the rendering boundary before any
 * file-system call); a source that already is that file is left alone.
 */
async function placeSource(from: string, outDir: string, name: string): Promise<void> {
  checkSourceFileName(name);
  const to = path.join(outDir, name);
  if (path.dirname(to) !== path.resolve(outDir)) throw new Error(`internal: source ${name} leaves ${outDir}`);
  const realFrom = await realpath(from).catch(() => path.resolve(from));
  if (realFrom === path.resolve(to) || realFrom === (await realpath(to).catch(() => ''))) return;
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    try {
      await symlink(path.resolve(from), to);
    } catch {
      await copyFile(from, to);
    }
  }
}

function unchecked(why: string, variantPath: string): Finding {
  return {
    code: 'W_SRPM_UNCHECKED',
    severity: 'warning',
    message: `the Kconfig and patch checks did not run (${why}): the SRPM may not build, or not build what the variant asks`,
    where: { file: variantPath, line: 0, col: 0 },
  };
}

/** The kernel tarball among an overlay output's lookaside sources. */
async function distributionTarball(outDir: string): Promise<string | undefined> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  const name = names.find((n) => /^linux-.*\.tar\.(xz|gz|bz2)$/.test(n));
  return name ? path.join(outDir, name) : undefined;
}

/** Build time recorded in the SRPM: the newest changelog date, so equal inputs give equal bytes. */
export function sourceDateEpochOf(variant: Variant): number {
  const dates = variant.changelog.map((e) => Date.parse(`${e.date}T00:00:00Z`)).filter((n) => !Number.isNaN(n));
  return dates.length ? Math.max(...dates) / 1000 : 946684800; // 2000-01-01 when there is no changelog
}

/** A source file ready to be placed next to the spec: verified, in the cache or given locally. */
interface CollectedSource {
  file: string;
  from: string;
  /** The base kernel tarball (the one the checks run against). */
  base: boolean;
}

/** Sources a kernel.org (vanilla or kmod) variant names: the tarball and base configs given by URL. */
async function collectUrlSources(variant: Variant, sourcesDir: string | undefined): Promise<CollectedSource[]> {
  const collected: CollectedSource[] = [];
  const wanted: Array<{ url: string; sha256?: string; fileName?: string; published?: () => Promise<string>; where: Finding['where']; base?: boolean }> = [];
  if (variant.base.kind === 'vanilla' || variant.base.kind === 'kernel-devel') {
    const { url, sha256, where, fileName } = variant.base.source;
    const version = variant.base.version;
    // a kernel.org release without a digest in the variant: kernel.org's checksum list has it
    const published = !sha256 && url === tarballUrl(version) ? () => new KernelOrg().sha256Of(version) : undefined;
    wanted.push({ url, ...(sha256 ? { sha256 } : {}), ...(fileName !== undefined ? { fileName } : {}), ...(published ? { published } : {}), where, base: variant.base.kind === 'vanilla' });
  }
  if (variant.base.kind === 'vanilla') {
    for (const c of Object.values(variant.base.config)) if (c?.kind === 'url') wanted.push({ url: c.url, sha256: c.sha256, ...(c.fileName !== undefined ? { fileName: c.fileName } : {}), where: c.where });
  }
  for (const w of wanted) {
    // the same name the spec's SourceN line gives (the rendering boundary), checked before any fs call
    const boundary = new SpecBoundary();
    const file = boundary.sourceFileName(w.url, w.fileName, w.where);
    if (boundary.findings.length) throw new UsageError(`unsafe source name for ${w.url}`, boundary.findings);
    const local = sourcesDir ? path.join(sourcesDir, file) : undefined;
    if (local && (await isFile(local))) {
      // a local file is verified when the variant gives a digest, by fetching it through the cache
      const from = w.sha256 ? await fetchSource({ url: path.resolve(local), sha256: w.sha256, fileName: file }) : local;
      collected.push({ file, from, base: Boolean(w.base) });
      continue;
    }
    if (!w.sha256 && w.published) {
      try {
        w.sha256 = await w.published();
      } catch (err) {
        throw new UsageError(`cannot verify ${file}`, [
          {
            code: 'E_SOURCE_UNVERIFIED',
            severity: 'error',
            message: `the variant gives no sha256 for ${file}, and kernel.org's checksum list could not be read: ${(err as Error).message}`,
            ...(w.where ? { where: w.where } : {}),
            hint: `add base.source.sha256 to the variant, or download ${file} yourself and pass --sources-dir DIR`,
          },
        ]);
      }
    }
    if (!w.sha256) {
      throw new UsageError(`${file} is needed and the variant gives no sha256 for ${w.url}`, [
        {
          code: 'E_SOURCE_UNVERIFIED',
          severity: 'error',
          message: `kplay downloads only what it can verify, and ${w.url} has no sha256`,
          ...(w.where ? { where: w.where } : {}),
          hint: `add base.source.sha256 to the variant, or download ${file} yourself and pass --sources-dir DIR`,
        },
      ]);
    }
    collected.push({ file, from: await fetchSource({ url: w.url, sha256: w.sha256, fileName: file }), base: Boolean(w.base) });
  }
  return collected;
}

/** The distribution's lookaside tarballs named by the dist-git `sources` file of an overlay output. */
async function gatherOverlaySources(variant: Variant<OverlayBase>, outDir: string, sourcesDir: string | undefined): Promise<void> {
  const sourcesFile = path.join(outDir, 'sources');
  let text: string;
  try {
    text = await readFile(sourcesFile, 'utf8');
  } catch {
    return; // a dist-git without lookaside files
  }
  const entries = parseSourcesFile(text, sourcesFile).entries;
  const gathered = await gatherLookasideSources({
    entries,
    targetDir: outDir,
    lookasideBase: DISTRIBUTIONS[variant.base.kind].lookasideBase,
    pkg: variant.base.package,
    ...(sourcesDir ? { sourcesDir } : {}),
    sourcesFile,
  });
  if (gathered.findings.some((f) => f.severity === 'error')) throw new UsageError('lookaside sources do not match', gathered.findings);
  await recordOutputFiles(outDir, entries.map((e) => e.file).filter((f) => !f.includes('/')));
}

/**
 * Compose a variant, put every source its spec names next to it (downloaded and verified, from
 * the cache, or from --sources-dir), and build a reproducible SRPM with rpmbuild -bs.
 */
export async function prepareSrpm(variantPath: string, opts: PrepareSrpmOptions = {}): Promise<PreparedSrpm> {
  const sourcesDir = opts.sourcesDir ? path.resolve(opts.sourcesDir) : undefined;
  const uncheckedNotes: Finding[] = [];
  // the SRPM carries the base tarball: fetch (or find) it first, and check the variant against it
  let kernelSource = opts.kernelSource;
  let urlSources: CollectedSource[] | undefined;
  const loaded = await loadVariant(variantPath);
  const early = loaded.variant;
  if (early && early.base.kind !== 'fedora' && early.base.kind !== 'centos-stream') {
    urlSources = await collectUrlSources(early, sourcesDir);
    if (!opts.noCheck && !kernelSource) kernelSource = urlSources.find((s) => s.base)?.from;
  }
  if (opts.noCheck) {
    kernelSource = undefined;
    uncheckedNotes.push(unchecked('--no-check was given', variantPath));
  }
  const compose = await composeVariant(variantPath, { out: opts.out, kernelSource, distGit: opts.distGit });
  if (!compose.written || !compose.variant || !compose.outDir || !compose.specFile) {
    throw new UsageError(`${variantPath} did not compose`, compose.findings, compose.exitCode === 1 ? 1 : 2);
  }
  const variant = compose.variant;
  const outDir = compose.outDir;
  if (variant.base.kind === 'fedora' || variant.base.kind === 'centos-stream') {
    await gatherOverlaySources(variant as Variant<OverlayBase>, outDir, sourcesDir);
    if (!opts.noCheck && !kernelSource) {
      // the distribution's tarball arrived with the lookaside sources: check against it now
      const tarball = await distributionTarball(outDir);
      if (tarball) {
        const checked = await composeVariant(variantPath, { out: opts.out, kernelSource: tarball, distGit: opts.distGit, write: false });
        if (checked.exitCode !== 0) throw new UsageError(`${variantPath} does not pass its checks against ${path.basename(tarball)}`, checked.findings, checked.exitCode === 1 ? 1 : 2);
        compose.findings.push(...checked.findings.filter((f) => !compose.findings.some((g) => g.code === f.code && g.message === f.message)));
        Object.assign(compose.checks, checked.checks);
      } else {
        uncheckedNotes.push(unchecked('the dist-git names no linux-*.tar.* source to check against (pass --kernel-source)', variantPath));
      }
    }
  } else {
    const sources = urlSources ?? (await collectUrlSources(variant, sourcesDir));
    for (const s of sources) await placeSource(s.from, outDir, s.file);
    await recordOutputFiles(outDir, sources.map((s) => s.file));
  }
  compose.findings.push(...uncheckedNotes);
  const srpmPath = await buildSrpm({ specFile: path.join(outDir, compose.specFile), sourceDir: outDir, outDir, sourceDateEpoch: sourceDateEpochOf(variant) });
  if (path.dirname(path.resolve(srpmPath)) === path.resolve(outDir)) await recordOutputFiles(outDir, [path.basename(srpmPath)]);
  return { srpmPath, variantName: variant.name, targets: variant.targets, outDir: path.join(outDir, STATE_DIR), compose };
}
