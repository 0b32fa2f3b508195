import { copyFile, link, readFile, realpath, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { composeVariant, type ComposeResult } from '../compose/compose-variant.js';
import { STATE_DIR } from '../compose/write-output.js';
import { recordOutputFiles } from '../compose/output-marker.js';
import { SpecBoundary, checkSourceFileName } from '../spec/boundary/index.js';
import { UsageError, type Finding } from '../findings/finding.js';
import type { Targets } from '../model/types.js';
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

/** Build time recorded in the SRPM: the newest changelog date, so equal inputs give equal bytes. */
export function sourceDateEpochOf(variant: Variant): number {
  const dates = variant.changelog.map((e) => Date.parse(`${e.date}T00:00:00Z`)).filter((n) => !Number.isNaN(n));
  return dates.length ? Math.max(...dates) / 1000 : 946684800; // 2000-01-01 when there is no changelog
}

/** Sources a kernel.org (vanilla or kmod) variant names: the tarball and base configs given by URL. */
async function gatherUrlSources(variant: Variant, outDir: string, sourcesDir: string | undefined): Promise<void> {
  const wanted: Array<{ url: string; sha256?: string; fileName?: string; published?: () => Promise<string>; where: Finding['where'] }> = [];
  if (variant.base.kind === 'vanilla' || variant.base.kind === 'kernel-devel') {
    const { url, sha256, where, fileName } = variant.base.source;
    const version = variant.base.version;
    // a kernel.org release without a digest in the variant: kernel.org's checksum list has it
    const published = !sha256 && url === tarballUrl(version) ? () => new KernelOrg().sha256Of(version) : undefined;
    wanted.push({ url, ...(sha256 ? { sha256 } : {}), ...(fileName !== undefined ? { fileName } : {}), ...(published ? { published } : {}), where });
  }
  if (variant.base.kind === 'vanilla') {
    for (const c of Object.values(variant.base.config)) if (c?.kind === 'url') wanted.push({ url: c.url, sha256: c.sha256, ...(c.fileName !== undefined ? { fileName: c.fileName } : {}), where: c.where });
  }
  const placed: string[] = [];
  for (const w of wanted) {
    // the same name the spec's SourceN line gives (the rendering boundary), checked before any fs call
    const boundary = new SpecBoundary();
    const file = boundary.sourceFileName(w.url, w.fileName, w.where);
    if (boundary.findings.length) throw new UsageError(`unsafe source name for ${w.url}`, boundary.findings);
    placed.push(file);
    const local = sourcesDir ? path.join(sourcesDir, file) : undefined;
    if (local && (await isFile(local))) {
      // a local file is verified when the variant gives a digest, by fetching it through the cache
      const from = w.sha256 ? await fetchSource({ url: path.resolve(local), sha256: w.sha256, fileName: file }) : local;
      await placeSource(from, outDir, file);
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
    await placeSource(await fetchSource({ url: w.url, sha256: w.sha256, fileName: file }), outDir, file);
  }
  await recordOutputFiles(outDir, placed);
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
  const compose = await composeVariant(variantPath, { out: opts.out, kernelSource: opts.kernelSource, distGit: opts.distGit });
  if (!compose.written || !compose.variant || !compose.outDir || !compose.specFile) {
    throw new UsageError(`${variantPath} did not compose`, compose.findings, compose.exitCode === 1 ? 1 : 2);
  }
  const variant = compose.variant;
  const outDir = compose.outDir;
  const sourcesDir = opts.sourcesDir ? path.resolve(opts.sourcesDir) : undefined;
  if (variant.base.kind === 'fedora' || variant.base.kind === 'centos-stream') await gatherOverlaySources(variant as Variant<OverlayBase>, outDir, sourcesDir);
  else await gatherUrlSources(variant, outDir, sourcesDir);
  const srpmPath = await buildSrpm({ specFile: path.join(outDir, compose.specFile), sourceDir: outDir, outDir, sourceDateEpoch: sourceDateEpochOf(variant) });
  if (path.dirname(path.resolve(srpmPath)) === path.resolve(outDir)) await recordOutputFiles(outDir, [path.basename(srpmPath)]);
  return { srpmPath, variantName: variant.name, targets: variant.targets, outDir: path.join(outDir, STATE_DIR), compose };
}
