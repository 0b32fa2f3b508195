import { UsageError } from '../findings/finding.js';
import { parseKernelVersion } from '../model/kernel-version.js';
import { fetchSource } from '../sources/fetch-source.js';
import { fetchText } from './fetch-text.js';
import { parseChecksumList } from './kernel-checksums.js';
import { checksumListUrl, kernelCdn, releasesUrl, tarballUrl } from './kernel-org-urls.js';
import { isReleaseSelector, parseReleaseList, selectRelease, type ReleaseList } from './release-list.js';
import { pathExists } from '../fs/path-kind.js';

/** A base release to compose against: its version, where its tarball comes from, and the local file. */
export interface ResolvedBase {
  /** The column's name: the selector asked for (`latest-stable`, `6.12.x`) or the version. */
  spec: string;
  version: string;
  /** Tarball URL and checksum to write into a variant (sha256 unknown for a local file given by path). */
  source: { url: string; sha256?: string };
  /** Local tree folder or tarball the checks read. */
  kernelSource: string;
  /** kernel.org moniker when the base came from the release list. */
  moniker?: string;
  /**
   * `distribution`: a distribution kernel (`--base dist:5.14.0-570.el9=TREE`), the column kmod and
   * overlay variants are checked on; default a kernel.org release (vanilla variants).
   */
  kind?: 'kernel.org' | 'distribution';
  /** Distribution columns: the kernel's version-release (kmod.kernel-version). */
  versionRelease?: string;
  /** Distribution columns: its kernel-devel tree or RPM (compile test and kABI check). */
  kernelDevel?: string;
  /** The column could not be resolved or fetched: every cell of it is failed with this reason. */
  error?: string;
}

export interface KernelOrgOptions {
  releasesUrl?: string;
  cdn?: string;
  cacheDir?: string;
  timeoutMs?: number;
}

/** Fetches the release list and checksum lists once each, for every base resolved through it. */
export class KernelOrg {
  private list?: Promise<ReleaseList>;
  private readonly sums = new Map<string, Promise<Map<string, string>>>();
  constructor(private readonly opts: KernelOrgOptions = {}) {}

  get releasesUrl(): string {
    return this.opts.releasesUrl ?? releasesUrl();
  }

  get cdn(): string {
    return this.opts.cdn ?? kernelCdn();
  }

  releaseList(): Promise<ReleaseList> {
    const url = this.releasesUrl;
    this.list ??= fetchText(url, this.opts.timeoutMs).then((t) => parseReleaseList(t, url));
    return this.list;
  }

  /** The published sha256 of a release's tarball (from the signed checksum list of its major series). */
  async sha256Of(version: string): Promise<string> {
    const url = checksumListUrl(version, this.cdn);
    let p = this.sums.get(url);
    if (!p) {
      p = fetchText(url, this.opts.timeoutMs).then(parseChecksumList);
      this.sums.set(url, p);
    }
    const sha = (await p).get(`linux-${version}.tar.xz`);
    if (!sha)
      throw new UsageError(`${url} lists no checksum for linux-${version}.tar.xz (mainline release candidates are not published there)`);
    return sha;
  }

  /** A release tarball fetched into the source cache, verified against the checksum list. */
  async release(version: string, spec = version, moniker?: string): Promise<ResolvedBase> {
    const sha256 = await this.sha256Of(version);
    const url = tarballUrl(version, this.cdn);
    const kernelSource = await fetchSource({
      url,
      sha256,
      ...(this.opts.cacheDir ? { cacheDir: this.opts.cacheDir } : {}),
      ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
    });
    return { spec, version, source: { url, sha256 }, kernelSource, ...(moniker ? { moniker } : {}) };
  }

  /** The version a selector names today (latest-stable, longterm, mainline, 6.12.x). */
  async select(selector: string): Promise<{ version: string; moniker: string }> {
    const list = await this.releaseList();
    const r = selectRelease(list, selector);
    if (!r) throw new UsageError(`${this.releasesUrl} has no release for '${selector}'`);
    return { version: r.version, moniker: r.moniker };
  }
}

/**
 * One `--base` argument: `VERSION=PATH` (a local tree or tarball of that release), a release
 * selector (`latest-stable`, `longterm`, `mainline`, `6.12.x`) or a plain version, both fetched from
 * kernel.org (checksum-verified, cached).
 */
export async function resolveBase(spec: string, kernelOrg: KernelOrg): Promise<ResolvedBase> {
  const eq = spec.indexOf('=');
  if (eq > 0) {
    const version = spec.slice(0, eq);
    const file = spec.slice(eq + 1);
    if (!parseKernelVersion(version)) throw new UsageError(`--base ${spec}: '${version}' is not a kernel release`);
    if (!file) throw new UsageError(`--base ${spec}: give the tree or tarball after '='`);
    if (!(await pathExists(file))) throw new UsageError(`--base ${spec}: ${file} does not exist`);
    return { spec: version, version, source: { url: tarballUrl(version) }, kernelSource: file };
  }
  if (isReleaseSelector(spec)) {
    const { version, moniker } = await kernelOrg.select(spec);
    return kernelOrg.release(version, spec, moniker);
  }
  if (parseKernelVersion(spec)) return kernelOrg.release(spec);
  throw new UsageError(`--base ${spec}: expected VERSION=PATH, a version, or one of latest-stable, longterm, mainline, <major>.<minor>.x`);
}
